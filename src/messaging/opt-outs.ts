import type { SuppressionCheck } from './outbox-worker.ts'

/** A number that must not be sent SMS, and why. */
export interface OptOutRecord {
  /** E.164 number, e.g. `+254700000001`. */
  readonly msisdn: string
  /**
   * Cause: the provider's failure reason `UserInBlackList` (the subscriber blocked the sender at
   * the carrier), `BulkSmsOptOut` for Africa's Talking's opt-out notification, or the keyword the
   * subscriber sent (`STOP`).
   */
  readonly reason: string
  /** What reported it: `delivery-report`, `opt-out-notification`, or `sms-keyword` (STOP). */
  readonly source: string
  /** Sender id or short code the subscriber opted out of, when the provider names one. */
  readonly senderId?: string
  /** Provider message id of the delivery report that revealed the block. */
  readonly providerMessageId?: string
  /** Milliseconds since the epoch. */
  readonly recordedAt: number
}

/**
 * Opt-out records keyed by E.164 number. The first record of a number is kept, so a repeated
 * report does not change when or why the number was blocked. Every implementation passes the
 * contract suite in `test/delivery-reports.test.ts`.
 */
export interface OptOutStore {
  /** Stores the record unless the number has one; returns whether it was stored. */
  record(record: OptOutRecord): Promise<boolean>
  get(msisdn: string): Promise<OptOutRecord | null>
  /** Deletes the record, for a subscriber who opted back in; returns whether one existed. */
  remove(msisdn: string): Promise<boolean>
  close(): Promise<void>
}

/** Opt-outs in process memory, lost on restart: the embedded default. */
export class MemoryOptOutStore implements OptOutStore {
  private readonly records = new Map<string, OptOutRecord>()

  async record(record: OptOutRecord): Promise<boolean> {
    if (this.records.has(record.msisdn)) return false
    this.records.set(record.msisdn, { ...record })
    return true
  }

  async get(msisdn: string): Promise<OptOutRecord | null> {
    const record = this.records.get(msisdn)
    return record === undefined ? null : { ...record }
  }

  async remove(msisdn: string): Promise<boolean> {
    return this.records.delete(msisdn)
  }

  async close(): Promise<void> {}
}

export interface SuppressionOptions {
  /**
   * Send `transactional` messages to a number that opted out by keyword (STOP), as the
   * `SMS_SEND_TRANSACTIONAL_AFTER_OPT_OUT` setting says. A carrier block suppresses them anyway.
   */
  readonly sendTransactional?: boolean
}

/**
 * Builds the outbox worker's suppression check: a number with an opt-out record gets no SMS,
 * except `essential` ones (the reply to STOP, START or HELP) and, with `sendTransactional`,
 * `transactional` ones after a keyword opt-out. The category is the message's `context.category`;
 * a message without one counts as neither.
 */
export function suppressOptedOut(
  store: OptOutStore,
  options: SuppressionOptions = {},
): SuppressionCheck {
  return async (msisdn, message) => {
    const category = message.context?.['category']
    if (category === 'essential') return false

    const record = await store.get(msisdn)
    if (record === null) return false

    const keywordOptOut = record.source === keywordOptOutSource
    if (category === 'transactional' && options.sendTransactional === true && keywordOptOut) {
      return false
    }
    return `opted out: ${record.reason} (${record.source})`
  }
}

/** `OptOutRecord.source` of an opt-out the subscriber sent by SMS keyword. */
export const keywordOptOutSource = 'sms-keyword'
