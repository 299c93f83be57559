import type { Logger } from 'pino'
import type { Effect, EffectSink } from '../engine/effects.ts'
import { maskMsisdn } from '../text/phone.ts'

// Idempotency keys remembered; a retry arrives within seconds, so a small window is enough.
const rememberedKeys = 10_000

/**
 * The embedded default: writes each SMS to the log instead of sending it, once per idempotency
 * key, so a local run shows what would go out.
 */
export class LogSmsSink implements EffectSink {
  private readonly seen = new Set<string>()

  constructor(private readonly logger: Logger) {}

  async dispatch(effects: readonly Effect[]): Promise<void> {
    for (const effect of effects) {
      if (this.seen.has(effect.idempotencyKey)) continue
      this.seen.add(effect.idempotencyKey)
      if (this.seen.size > rememberedKeys)
        this.seen.delete(this.seen.values().next().value as string)
      this.logger.info(
        {
          to: maskMsisdn(effect.to),
          message: effect.text,
          flow: effect.flowId,
          key: effect.idempotencyKey,
        },
        'sms not sent: no SMS provider is configured',
      )
    }
  }
}
