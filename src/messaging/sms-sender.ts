/** One outgoing SMS to one recipient. */
export interface SmsRequest {
  /** Recipient in E.164 form, e.g. `+254700000001`. */
  readonly to: string
  readonly text: string
  /** Sender id or short code; the provider account's default when unset. */
  readonly from?: string
}

/**
 * Reason a send failed, as a closed set. Each code fixes whether a later attempt can succeed
 * (see `retryableCodes`), so callers never decide that from a status number.
 */
export type SendFailureCode =
  /** The provider rejected the number itself (invalid, unsupported type). */
  | 'invalid-recipient'
  /** The subscriber or the carrier blocks messages from this sender. */
  | 'blocked'
  /** The provider refused the request (4xx, sender id, balance); resending the same fails again. */
  | 'rejected'
  /** The credentials were refused (401, 403). */
  | 'unauthorized'
  /** The provider asked us to slow down (429). */
  | 'throttled'
  /** The provider failed (5xx, or a gateway error for the recipient). */
  | 'server-error'
  /**
   * No response within the client timeout. The message may have gone out, so a retry can
   * deliver it twice.
   */
  | 'timeout'
  /** The connection failed before a response (refused, reset, DNS). */
  | 'network'
  /** A response that cannot be read as a send result. */
  | 'invalid-response'

export const retryableCodes: Readonly<Record<SendFailureCode, boolean>> = {
  'invalid-recipient': false,
  blocked: false,
  rejected: false,
  unauthorized: false,
  throttled: true,
  'server-error': true,
  timeout: true,
  network: true,
  'invalid-response': false,
}

export interface SentOutcome {
  readonly status: 'sent'
  /** The provider's id for the message, the key that delivery reports carry. */
  readonly messageId: string
  /** The provider's price text, e.g. `KES 0.8000`. */
  readonly cost?: string
}

export interface FailedOutcome {
  readonly status: 'failed'
  readonly code: SendFailureCode
  readonly retryable: boolean
  /** Description of the failure for logs, without the API key or the message text. */
  readonly reason: string
  /** Set when the provider assigned an id before rejecting the recipient. */
  readonly messageId?: string
  /** Milliseconds the provider asked us to wait (a 429's `Retry-After`). */
  readonly retryAfterMs?: number
}

export type SendOutcome = SentOutcome | FailedOutcome

/**
 * Sends one SMS. Implementations never reject: every failure, including a timeout or a broken
 * connection, comes back as a `FailedOutcome`.
 */
export interface SmsSender {
  send(request: SmsRequest): Promise<SendOutcome>
}

/** Builds a failed outcome whose `retryable` flag follows from its code. */
export function sendFailure(
  code: SendFailureCode,
  reason: string,
  extra: { messageId?: string; retryAfterMs?: number } = {},
): FailedOutcome {
  return { status: 'failed', code, retryable: retryableCodes[code], reason, ...extra }
}

/** Maps a non-success HTTP status onto the failure code that a caller acts on. */
export function failureCodeForHttpStatus(status: number): SendFailureCode {
  if (status === 429) return 'throttled'
  if (status === 401 || status === 403) return 'unauthorized'
  if (status >= 500) return 'server-error'
  if (status >= 400) return 'rejected'
  return 'invalid-response'
}
