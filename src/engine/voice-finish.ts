import type { Logger } from 'pino'
import type { SessionStore } from '../store/session-store.ts'
import { dispatchEffects } from './after-commit.ts'
import type { EffectSink } from './effects.ts'
import type { FlowRegistry } from './flow-registry.ts'
import { localize } from './localize.ts'
import type { VoiceCallback } from './voice-call.ts'
import type { VoiceMessages } from './voice-messages.ts'
import type { CallOutcome, VoiceSessionRecord } from './voice-session.ts'
import { fillTemplate } from '../text/template.ts'

export interface FinishCallOptions {
  readonly store: SessionStore
  readonly flows: FlowRegistry
  readonly effects: EffectSink
  readonly voiceMessages: VoiceMessages
  readonly defaultLanguage: string
  readonly sessionTtlSeconds: number
}

// A save that loses the version race reloads and tries again this many times.
const maxCommitAttempts = 4

/**
 * Handles the final notification of a call (`isActive=0`): closes its session with the outcome
 * and cost, and sends one "we tried to call you" SMS for an outbound call nobody answered. The
 * closed session stays until its time to live ends, so a repeated notification finds it and does
 * nothing.
 */
export async function finishCall(
  key: string,
  call: VoiceCallback,
  options: FinishCallOptions,
  logger: Logger,
): Promise<void> {
  const ended = { ...call.end, at: call.receivedAt }

  for (let attempt = 1; attempt <= maxCommitAttempts; attempt += 1) {
    const record = (await options.store.load(key)) as VoiceSessionRecord | null
    if (record === null) {
      if (await closeUnansweredCall(key, call, options, logger)) return
      continue
    }
    if (record.msisdn !== call.msisdn) {
      logger.warn('final notification from another number for this call, ignoring it')
      return
    }
    if (record.voice?.ended !== undefined) {
      logger.info('repeated final notification, nothing to do')
      // The first attempt may have saved and then stopped before its effects were queued.
      await dispatchEffects(options.effects, record.pendingEffects ?? [], logger)
      return
    }

    // A call hung up on a screen that waited for the caller ended before its flow did.
    const status = record.status === 'active' ? 'dropped' : record.status
    const outcome: CallOutcome = record.voice?.outcome ?? 'hung-up'
    const closed: VoiceSessionRecord = {
      ...record,
      version: record.version + 1,
      status,
      updatedAt: call.receivedAt,
      voice: { ...record.voice, outcome, ended },
    }
    if (await options.store.commit(closed, options.sessionTtlSeconds)) {
      logger.info({ flow: record.flowId, status, outcome, ...call.end }, 'call ended')
      return
    }
  }
  logger.warn('call session kept changing during the final notification, giving up')
}

/**
 * Closes a call that never had a session. For an outbound call that was not answered, saves a
 * closed session and sends the missed-call SMS after the save. Returns false on a version
 * conflict, so the caller loads again.
 */
async function closeUnansweredCall(
  key: string,
  call: VoiceCallback,
  options: FinishCallOptions,
  logger: Logger,
): Promise<boolean> {
  const notAnswered = call.direction === 'outbound' && call.end?.status === 'NotAnswered'
  if (!notAnswered) {
    logger.info({ ...call.end }, 'final notification for a call without a session')
    return true
  }

  // NOTE: Switchboard places no outbound calls yet, so it cannot check that it made this one. It
  // only trusts notices for its own routed lines; the README asks operators to accept callbacks
  // from Africa's Talking's addresses only.
  const flow = options.flows.forVoiceNumber(call.line)
  if (flow === undefined) {
    logger.warn({ ...call.end }, 'unanswered-call notice for a line with no flow, ignoring it')
    return true
  }
  const contact = await options.store.loadContact(call.msisdn)
  const language = contact?.language ?? flow?.defaultLanguage ?? options.defaultLanguage
  const template = localize(options.voiceMessages.missedCallSms, language, options.defaultLanguage)
  const effect = {
    kind: 'sms' as const,
    to: call.msisdn,
    text: fillTemplate(template, { line: call.line }),
    idempotencyKey: `${key}:not-answered`,
    sessionKey: key,
    flowId: flow.id,
    category: 'notification' as const,
  }

  const record: VoiceSessionRecord = {
    key,
    msisdn: call.msisdn,
    flowId: flow?.id ?? '',
    flowVersion: flow?.version ?? 0,
    flowRevision: flow?.revision ?? '',
    version: 1,
    status: 'failed',
    value: null,
    context: {},
    history: [],
    pages: [0],
    shown: 0,
    lastInputLength: 0,
    lastInputHash: '',
    lastReply: { end: true, text: '' },
    updatedAt: call.receivedAt,
    serviceCode: call.line,
    pendingEffects: [effect],
    voice: {
      line: call.line,
      direction: call.direction,
      silentPrompts: 0,
      invalidPrompts: 0,
      reply: { actions: [] },
      outcome: 'not-answered',
      ended: { ...call.end, at: call.receivedAt },
    },
  }
  if (!(await options.store.commit(record, options.sessionTtlSeconds))) return false
  logger.info({ flow: record.flowId, ...call.end }, 'outbound call not answered')
  await dispatchEffects(options.effects, [effect], logger)
  return true
}
