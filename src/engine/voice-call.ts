/** Outcome and cost of a call, from the provider's final notification. */
export interface CallEnd {
  /** Provider status, such as `Success` or `NotAnswered`. */
  readonly status?: string
  readonly hangupCause?: string
  readonly durationSeconds?: number
  /** Cost of the call in `currencyCode`. */
  readonly amount?: number
  readonly currencyCode?: string
}

/** One voice callback after the channel adapter parsed and validated it. */
export interface VoiceCallback {
  readonly provider: string
  readonly sessionId: string
  /** E.164 number of the phone user, for inbound and outbound calls alike. */
  readonly msisdn: string
  /** E.164 number of the line the call is on: the number that was called, or the caller id. */
  readonly line: string
  readonly direction: 'inbound' | 'outbound'
  /** False on the final notification, which carries `end` and expects no script. */
  readonly active: boolean
  /** Session version from the callback URL; absent on the first callback of a call. */
  readonly step?: number
  /** True when the call came back through the fallback after input timed out. */
  readonly timedOut: boolean
  /** Keys pressed, as sent; absent when the callback carries none. */
  readonly digits?: string
  /** Recording of a free-text answer; empty or absent when nothing was recorded. */
  readonly recordingUrl?: string
  readonly end?: CallEnd
  /** Milliseconds since the epoch. */
  readonly receivedAt: number
}
