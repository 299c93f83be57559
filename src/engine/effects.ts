/** An outside side effect a flow asked for, run only after the session was saved. */
export interface SmsEffect {
  readonly kind: 'sms'
  readonly to: string
  readonly text: string
  /** Stable across retries of the same step, so the sender can drop a repeat. */
  readonly idempotencyKey: string
  readonly sessionKey: string
  readonly flowId: string
}

export type Effect = SmsEffect

/** Runs effects after a successful save. Implementations must tolerate a repeated key. */
export interface EffectSink {
  dispatch(effects: readonly Effect[]): Promise<void>
}
