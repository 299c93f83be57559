import type { InboundSms } from './parse-inbound-sms.ts'

/** An inbound SMS as stored, with what was done with it once it has been handled. */
export interface StoredInboundSms {
  readonly message: InboundSms
  /** Milliseconds since the epoch. */
  readonly storedAt: number
  /** A short label of what was done (`opt-out`, `answer`, `queued:support`); absent until then. */
  readonly outcome?: string
  readonly handledAt?: number
}

/** Default time a provider id is remembered, so a retried callback is not routed twice. */
export const defaultDedupeWindowSeconds = 48 * 60 * 60

/**
 * Inbound messages kept for their dedupe window, keyed by `InboundSms.id`. Every implementation
 * passes the contract suite in `test/inbound-store.test.ts`.
 *
 * A callback stores its message with `saveIfNew` before it is acknowledged. When that returns
 * false, the provider is retrying: `get` shows whether the first attempt was handled, or stopped
 * before `markHandled` and should be handled now.
 */
export interface InboundStore {
  /** Stores `message` unless its id is already stored. Returns false for a repeat. */
  saveIfNew(message: InboundSms): Promise<boolean>
  get(id: string): Promise<StoredInboundSms | null>
  /** Records the outcome of a stored message. Returns false when the id is no longer stored. */
  markHandled(id: string, outcome: string): Promise<boolean>
  close(): Promise<void>
}
