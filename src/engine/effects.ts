/**
 * Why an SMS is sent, which decides whether it still goes to a person who opted out:
 * - `essential`: the reply to a compliance keyword (STOP, START, HELP); always sent.
 * - `transactional`: the answer to something the person asked for (a booking confirmation, the
 *   next question of a flow they are in); sent after an opt-out only when
 *   `SMS_SEND_TRANSACTIONAL_AFTER_OPT_OUT` is on.
 * - `notification`: a message nobody asked for (a reminder, a dropped-session notice, a campaign);
 *   never sent after an opt-out.
 */
export type SmsCategory = 'essential' | 'transactional' | 'notification'

/** An outside side effect a flow asked for, run only after the session was saved. */
export interface SmsEffect {
  readonly kind: 'sms'
  readonly to: string
  readonly text: string
  /** Stable across retries of the same step, so the sender can drop a repeat. */
  readonly idempotencyKey: string
  readonly sessionKey: string
  readonly flowId: string
  /** `transactional` when absent. */
  readonly category?: SmsCategory
  /**
   * Set on the question a call hands over to SMS: with two-way SMS running, the question is sent
   * by an SMS session that continues the call's flow, so the reply answers it.
   */
  readonly continueOnSms?: boolean
}

export type Effect = SmsEffect

/** Runs effects after a successful save. Implementations must tolerate a repeated key. */
export interface EffectSink {
  dispatch(effects: readonly Effect[]): Promise<void>
}
