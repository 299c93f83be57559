import type { VoiceCallback } from '../engine/voice-call.ts'
import type { VoiceReply } from '../engine/voice-reply.ts'
import type { ParseResult, RenderedReply } from './ussd-channel.ts'

/**
 * Contract of a voice aggregator adapter: turning its callback fields (and the query of the
 * callback URL, which carries the step) into one callback, and the engine's reply into its call
 * script. Every adapter passes `test/voice-channel-contract.ts`.
 */
export interface VoiceChannel {
  readonly provider: string
  parseCallback(
    fields: URLSearchParams,
    query: URLSearchParams,
    receivedAt: number,
  ): ParseResult<VoiceCallback>
  /** `callbackUrl` is the absolute URL of the voice route, without a query. */
  renderReply(reply: VoiceReply, callbackUrl: string): RenderedReply
}
