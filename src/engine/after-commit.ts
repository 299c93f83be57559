import type { Logger } from 'pino'
import type { SessionStore } from '../store/session-store.ts'
import type { Effect, EffectSink } from './effects.ts'
import type { FlowCursor } from './flow-cursor.ts'

/**
 * Remembers the language a subscriber picked on a language screen, so their next session on any
 * channel starts in it. A failure is logged and not raised, because the hop is already saved.
 * With contacts kept, `store` is a `ContactTrackingStore`, whose `saveContact` sets only the
 * language with a compare-and-set, so an opt-out saved since the load is never overwritten.
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

/**
 * Keeps the flow's `after` delays in the store, fenced by the version just saved, so they fire
 * after a restart and are dropped if the session has moved on by then.
 */
export async function scheduleTimers(
  store: SessionStore,
  cursor: FlowCursor,
  record: { key: string; version: number },
  now: number,
  logger: Logger,
): Promise<void> {
  for (const timer of cursor.timers) {
    try {
      await store.scheduleTimer({
        id: `${record.key}:${record.version}:${timer.event.type}`,
        sessionKey: record.key,
        version: record.version,
        event: timer.event,
        dueAt: now + timer.delayMs,
      })
    } catch (error) {
      logger.error({ err: error, event: timer.event.type }, 'failed to schedule a flow timer')
    }
  }
}

/** Returns the context without the flow's sensitive answers, which are never stored. */
export function storableContext(cursor: FlowCursor): Record<string, unknown> {
  const sensitive = cursor.flow.sensitiveKeys
  if (sensitive.length === 0) return cursor.context

  const context = { ...cursor.context }
  for (const key of sensitive) delete context[key]
  return context
}
