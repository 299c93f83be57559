import type { Logger } from 'pino'
import type { Effect, EffectSink } from '../../engine/effects.ts'
import { recordEventOnce } from './contact-events.ts'
import type { ContactStore } from './contacts.ts'

/**
 * An effect sink that passes every effect on to `next` (the outbox), then records each SMS in its
 * recipient's contact history, so whoever reads a reply sees what was sent before it. Recording
 * failures are logged, because the SMS are already queued.
 */
export class ContactHistoryEffects implements EffectSink {
  constructor(
    private readonly next: EffectSink,
    private readonly contacts: ContactStore,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async dispatch(effects: readonly Effect[]): Promise<void> {
    await this.next.dispatch(effects)

    for (const effect of effects) {
      const event = {
        kind: 'sms-out' as const,
        channel: 'sms' as const,
        at: this.now(),
        ref: effect.idempotencyKey,
        text: effect.text,
      }
      try {
        await this.contacts.update(effect.to, (contact) => recordEventOnce(contact, event))
      } catch (error) {
        this.logger.warn({ err: error, key: effect.idempotencyKey }, 'sms not added to the history')
      }
    }
  }
}
