import type { Logger } from 'pino'
import type { SessionStore } from '../store/session-store.ts'
import type { Effect, EffectSink } from './effects.ts'
import type { FlowCursor } from './flow-cursor.ts'

/**
 * Remembers the language a subscriber picked on a language screen, so their next session on any
 * channel starts in it. A failure is logged and not raised, because the hop is already saved.
 */
export async function saveChosenLanguage(
  store: SessionStore,
  cursor: FlowCursor,
  msisdn: string,
  logger: Logger,
): Promise<void> {
  if (cursor.context['languageChosen'] !== true) return
  try {
    const existing = await store.loadContact(msisdn)
    if (existing?.language === cursor.language) return
    await store.saveContact({
      ...existing,
      msisdn,
      language: cursor.language,
      updatedAt: Date.now(),
    })
  } catch (error) {
    logger.error({ err: error }, 'failed to save the contact language')
  }
}

/** Runs the effects of a saved hop. A failure is logged and not raised, as above. */
export async function dispatchEffects(
  sink: EffectSink,
  effects: readonly Effect[],
  logger: Logger,
): Promise<void> {
  if (effects.length === 0) return
  try {
    await sink.dispatch(effects)
  } catch (error) {
    logger.error({ err: error, effects: effects.length }, 'failed to dispatch effects')
  }
}

/** True for the error a store raises when its backing service does not answer in time. */
export function isStoreFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'StoreUnavailableError'
}
