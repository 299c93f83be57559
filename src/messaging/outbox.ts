import type { Logger } from 'pino'
import type { Effect, EffectSink } from '../engine/effects.ts'
import { maskMsisdn } from '../text/phone.ts'
import type { OutboxStore } from './outbox-store.ts'
import { prepareSms, type PreparedSms } from './segments.ts'

export interface OutboxOptions {
  readonly store: OutboxStore
  readonly logger: Logger
  /** Segments one text may use (`SMS_MAX_SEGMENTS`). */
  readonly maxSegments: number
  /** Handling of a longer text (`SMS_OVERFLOW`): `reject` or `truncate`. */
  readonly overflow: 'reject' | 'truncate'
  /** Replace curly quotes, long dashes and the ellipsis before counting; default on. */
  readonly normalizeTypography?: boolean
}

export interface OutboxRequest {
  /** Same key, one message: a repeat with this key returns the first message's id. */
  readonly idempotencyKey: string
  /** Recipient in E.164 form, e.g. `+254700000001`. */
  readonly to: string
  readonly text: string
  readonly from?: string
  readonly context?: Readonly<Record<string, string>>
  /** Earliest send time in milliseconds since the epoch. */
  readonly dueAt?: number
}

/** Raised for a recipient that is not an E.164 number. */
export class InvalidRecipientError extends Error {
  override readonly name = 'InvalidRecipientError'
}

const e164 = /^\+[1-9]\d{6,14}$/

/**
 * Entry point of the outbox: checks the recipient, fits the text to the segment limit, and
 * stores the message for an `OutboxWorker` to send. This class has no `SmsSender`, so a USSD hop
 * that queues an SMS waits on the store only. As an `EffectSink` it queues the engine's effects.
 */
export class Outbox implements EffectSink {
  constructor(private readonly options: OutboxOptions) {}

  async enqueue(
    request: OutboxRequest,
  ): Promise<{ id: string; created: boolean; prepared: PreparedSms }> {
    const prepared = this.prepare(request)
    return this.store(request, prepared)
  }

  /**
   * Queues each SMS effect. A text or recipient that can never be sent is logged and skipped;
   * a store failure is raised after the other effects were tried.
   */
  async dispatch(effects: readonly Effect[]): Promise<void> {
    let storeError: unknown = null
    for (const effect of effects) {
      const request = {
        idempotencyKey: effect.idempotencyKey,
        to: effect.to,
        text: effect.text,
        context: {
          sessionKey: effect.sessionKey,
          flowId: effect.flowId,
          // Read by the worker's suppression check when the recipient opted out.
          category: effect.category ?? 'transactional',
        },
      }

      let prepared: PreparedSms
      try {
        prepared = this.prepare(request)
      } catch (error) {
        this.options.logger.error(
          { err: error, key: effect.idempotencyKey, flow: effect.flowId },
          'sms effect dropped: it can never be sent',
        )
        continue
      }

      await this.store(request, prepared).catch((error: unknown) => {
        storeError ??= error
      })
    }
    if (storeError !== null) throw storeError
  }

  /** Checks the recipient and fits the text to the segment limit; raises when it cannot. */
  private prepare(request: OutboxRequest): PreparedSms {
    if (!e164.test(request.to)) {
      throw new InvalidRecipientError(
        `SMS recipient ${maskMsisdn(request.to)} is not an E.164 number (+ country code and ` +
          'number). Normalise it with normalizeMsisdn before queueing.',
      )
    }
    return prepareSms(request.text, {
      maxSegments: this.options.maxSegments,
      overflow: this.options.overflow,
      normalizeTypography: this.options.normalizeTypography,
    })
  }

  private async store(request: OutboxRequest, prepared: PreparedSms) {
    const { id, created } = await this.options.store.enqueue({ ...request, text: prepared.text })
    if (prepared.truncated && created) {
      const { maxSegments } = this.options
      this.options.logger.warn({ outboxId: id, maxSegments }, 'sms text truncated')
    }
    return { id, created, prepared }
  }
}
