import type { Logger } from 'pino'
import type { SessionStore } from '../store/session-store.ts'
import type { EffectSink } from './effects.ts'
import type { FlowRegistry } from './flow-registry.ts'
import type { UssdScreenSettings } from './ussd-screen.ts'

/** One USSD callback after the channel adapter parsed and validated it. */
export interface UssdHop {
  readonly provider: string
  readonly sessionId: string
  /** E.164. */
  readonly msisdn: string
  readonly serviceCode: string
  readonly network?: string
  /** Every input so far, joined with `*`, as the gateway sends it. */
  readonly text: string
  /** Milliseconds since the epoch. */
  readonly receivedAt: number
}

/** The aggregator's notice that a USSD session ended, for whatever reason. */
export interface UssdSessionEnd {
  readonly provider: string
  readonly sessionId: string
  /** E.164. */
  readonly msisdn: string
  /** Provider status: Africa's Talking sends `Success`, `Incomplete` or `Failed`. */
  readonly status: string
  /** True when the session stopped while a screen waited for the subscriber. */
  readonly dropped: boolean
  readonly errorMessage?: string
  readonly durationMs?: number
  readonly hops?: number
  readonly receivedAt: number
}

export interface UssdEngineOptions extends UssdScreenSettings {
  readonly store: SessionStore
  readonly flows: FlowRegistry
  readonly effects: EffectSink
  readonly logger: Logger
  /** How long a session lives after its last hop. */
  readonly sessionTtlSeconds: number
  /** Time a hop may spend on flow tasks before it answers. */
  readonly hopBudgetMs: number
  /** Time a slow task may go on after its hop answered that the result will come by SMS. */
  readonly taskTimeoutMs: number
  /**
   * Seconds after its last hop when a session still waiting for the subscriber counts as
   * dropped, for gateways that send no end-of-session notice. 0 turns this off.
   */
  readonly dropAfterSeconds: number
  /** Language of the engine's own messages before a flow is known. */
  readonly defaultLanguage: string
}
