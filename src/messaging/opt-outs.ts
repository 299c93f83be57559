import type { SuppressionCheck } from './outbox-worker.ts'

/** A number that must not be sent SMS, and why. */
export interface OptOutRecord {
  /** E.164 number, e.g. `+254700000001`. */
  readonly msisdn: string
  /**
   * Cause: the provider's failure reason `UserInBlackList` (the subscriber blocked the sender at
   * the carrier), or `BulkSmsOptOut` for Africa's Talking's opt-out notification.
   */
  readonly reason: string
  /** Callback that reported it: `delivery-report` or `opt-out-notification`. */
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

/** Builds the outbox worker's suppression check: a number with an opt-out record gets no SMS. */
export function suppressOptedOut(store: OptOutStore): SuppressionCheck {
  return async (msisdn) => {
    const record = await store.get(msisdn)
    return record === null ? false : `opted out: ${record.reason} (${record.source})`
  }
}
