import type { Logger } from 'pino'
import type { Effect, EffectSink } from './effects.ts'
import type { SmsEngine } from './sms-engine.ts'

/**
 * The effect sink of the USSD and voice engines when two-way SMS runs. A call's free-text
 * question (`continueOnSms`) becomes an SMS session that continues the call's flow, so the reply
 * moves that flow. Every other effect goes on to `next`. If the SMS session cannot start, the
 * question is sent as a plain SMS, as without two-way SMS.
 */
// NOTE: only calls hand a question over. A USSD session that stops on a text screen sends its drop
// SMS and waits for a redial, because it does not ask that screen by SMS and continue there.
export class SmsHandoverSink implements EffectSink {
  constructor(
    private readonly next: EffectSink,
    private readonly engine: SmsEngine,
    private readonly logger: Logger,
  ) {}

  async dispatch(effects: readonly Effect[]): Promise<void> {
    const plain: Effect[] = []
    for (const effect of effects) {
      if (effect.continueOnSms !== true) {
        plain.push(effect)
        continue
      }

      const result = await this.engine.continueCall(effect).catch((error: unknown) => {
        this.logger.error({ err: error, session: effect.sessionKey }, 'sms hand-over failed')
        return { status: 'failed' as const }
      })
      const started = result.status === 'waiting' || result.status === 'repeat'
      if (!started) plain.push({ ...effect, continueOnSms: false })
    }
    if (plain.length > 0) await this.next.dispatch(plain)
  }
}
