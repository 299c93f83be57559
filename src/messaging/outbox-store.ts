import type { FailedOutcome, SendOutcome, SentOutcome } from './sms-sender.ts'

/**
 * Stage of a message: `queued` -> `sending` -> `sent` -> `delivered`, with `failed` and
 * `suppressed` as the other final statuses. Status only moves forward. The one way back is a
 * retry, from `sending` to `queued`, and a lease that ended (its worker crashed) lets another
 * worker claim a `sending` message again.
 */
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'suppressed'

/**
 * Statuses each operation accepts; on any other status it changes nothing and returns false.
 * Delivery reports move `sent` to `delivered` or `failed` (see `recordDelivery`).
 */
export const movableFrom = {
  complete: ['sending'],
  retryLater: ['sending'],
  fail: ['queued', 'sending'],
  suppress: ['queued', 'sending'],
} as const satisfies Record<string, readonly OutboxStatus[]>

export type OutboxOperation = keyof typeof movableFrom

export interface NewOutboxMessage {
  /** Same key, same message: a repeated enqueue returns the first message's id. */
  readonly idempotencyKey: string
  /** Recipient in E.164 form. */
  readonly to: string
  /** Final text, already counted and limited by `prepareSms`. */
  readonly text: string
  readonly from?: string
  /** Origin of the message (session key, flow id), kept for tracing. */
  readonly context?: Readonly<Record<string, string>>
  /** Earliest send time in milliseconds since the epoch; now when unset. */
  readonly dueAt?: number
}

/** The latest delivery report applied to a message. */
export interface DeliveryState {
  /** The provider's status word, e.g. `Buffered` or `Success`. */
  readonly status: string
  /** Position in the report order; a report of equal or lower rank is not applied. */
  readonly rank: number
  readonly failureReason?: string
  readonly networkCode?: string
  readonly reportedAt: number
}

export interface OutboxMessage {
  readonly id: string
  readonly idempotencyKey: string
  readonly to: string
  readonly text: string
  readonly from?: string
  readonly context?: Readonly<Record<string, string>>
  readonly status: OutboxStatus
  /** Claims so far, the current one included. */
  readonly attempts: number
  readonly createdAt: number
  readonly updatedAt: number
  /** When the message is next due (queued) or its lease ends (sending). */
  readonly dueAt: number
  readonly leaseUntil?: number
  /** The provider's id, set once sent; delivery reports are matched on it. */
  readonly providerMessageId?: string
  readonly lastOutcome?: SendOutcome
  readonly suppressedReason?: string
  readonly delivery?: DeliveryState
}

/** A delivery report to apply, already ranked by `delivery-reports.ts`. */
export interface DeliveryUpdate extends DeliveryState {
  /** Set for a final report: the message's status from now on. */
  readonly finalStatus?: 'delivered' | 'failed'
}

/** A delivery report that could not be applied, kept for inspection. */
export interface UnrecognizedReport {
  readonly reason: 'unknown-message' | 'unknown-status'
  readonly fields: Readonly<Record<string, string>>
  readonly receivedAt: number
}

/**
 * Durable queue of outgoing SMS. Each operation is atomic on its own, so any number of workers
 * can share one store: a message is claimed by one worker at a time, and a claim whose lease
 * ends (the worker crashed) makes the message due again. Every implementation passes
 * `test/outbox-contract.ts`.
 */
export interface OutboxStore {
  /** Adds a message unless one with the same idempotency key exists. */
  enqueue(message: NewOutboxMessage): Promise<{ id: string; created: boolean }>
  /**
   * Takes up to `limit` messages that are due at `now`, oldest due first, marks them `sending`,
   * counts an attempt and leases them until `now + leaseMs`.
   */
  claim(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]>
  /** Records a send the provider accepted: `sending` to `sent`. */
  complete(id: string, outcome: SentOutcome): Promise<boolean>
  /** Puts a message whose send failed back in the queue, due at `dueAt`. */
  retryLater(id: string, dueAt: number, outcome: FailedOutcome): Promise<boolean>
  /** Marks a message `failed` for good. */
  fail(id: string, outcome: FailedOutcome): Promise<boolean>
  /** Marks a message `suppressed`: it is never sent (opt-out, block). */
  suppress(id: string, reason: string): Promise<boolean>
  /** Applies a delivery report to a `sent` message if it ranks above the one applied before. */
  recordDelivery(id: string, update: DeliveryUpdate): Promise<boolean>
  get(id: string): Promise<OutboxMessage | null>
  findByProviderId(providerMessageId: string): Promise<OutboxMessage | null>
  /** Keeps a report for an unknown message or status; the oldest are dropped past a cap. */
  saveUnrecognizedReport(report: UnrecognizedReport): Promise<void>
  /** The most recent unrecognised reports, newest first. */
  listUnrecognizedReports(limit: number): Promise<UnrecognizedReport[]>
  close(): Promise<void>
}

/** Unrecognised reports kept; enough for an operator to see a pattern. */
export const maxUnrecognizedReports = 1000

/** Days a finished message stays readable, for delivery reports and support questions. */
export const defaultRetentionMs = 7 * 24 * 60 * 60 * 1000
