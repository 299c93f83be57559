import type { UssdHop, UssdSessionEnd } from '../engine/ussd-engine.ts'
import type { SessionReply } from '../store/session-store.ts'

/** A rejected callback: the HTTP status and a message that names the field and the fix. */
export interface CallbackProblem {
  readonly status: 400 | 413 | 415
  readonly message: string
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: CallbackProblem }

export interface RenderedReply {
  readonly contentType: string
  readonly body: string
}

/**
 * What every USSD aggregator adapter provides: turning its callback fields into one hop, and the
 * engine's reply into its wire format. Every adapter passes `test/ussd-channel-contract.ts`.
 */
export interface UssdChannel {
  readonly provider: string
  parseHop(fields: URLSearchParams, receivedAt: number): ParseResult<UssdHop>
  renderReply(reply: SessionReply): RenderedReply
  /** Parses the gateway's end-of-session notice, for gateways that send one. */
  parseSessionEnd?(fields: URLSearchParams, receivedAt: number): ParseResult<UssdSessionEnd>
}
