import type { Logger } from 'pino'
import type { SessionRecord, SessionStore } from '../store/session-store.ts'
import { fillTemplate } from '../text/template.ts'
import { dispatchEffects } from './after-commit.ts'
import type { Effect, EffectSink } from './effects.ts'
import type { Flow } from './flow.ts'
import { FlowCursor } from './flow-cursor.ts'
import type { FlowRegistry } from './flow-registry.ts'
import { localize } from './localize.ts'
import type { EngineMessages } from './messages.ts'
import { restoreSnapshot } from './restore-snapshot.ts'

export interface DropDependencies {
  readonly store: SessionStore
  readonly flows: FlowRegistry
  readonly effects: EffectSink
  readonly messages: EngineMessages
  readonly sessionTtlSeconds: number
}

export type DropOutcome = 'dropped' | 'ignored' | 'conflict'

/**
 * Ends a session that stopped while its flow waited for the subscriber: saves what it captured
 * as a draft they can continue within the flow's resume window, and sends one SMS that says
 * nothing was done and how to go on. A session still on its first screen captured nothing, so
 * it ends quietly. Only an `active` session drops, so a repeated notification does nothing.
 */
export async function dropSession(
  record: SessionRecord,
  reason: string,
  dependencies: DropDependencies,
  now: number,
  logger: Logger,
): Promise<DropOutcome> {
  if (record.status !== 'active') return 'ignored'

  const flow = dependencies.flows.get(record.flowId, record.flowRevision)
  const captured = record.history.length > 0 && record.offer === undefined
  const cursor = flow === undefined || !captured ? undefined : restoreCursor(flow, record)

  const effects: Effect[] = []
  if (cursor !== undefined) {
    effects.push(dropSms(cursor, record, dependencies.messages))
    await saveDraft(cursor, record, dependencies.store, now)
  }

  const dropped: SessionRecord = {
    ...record,
    version: record.version + 1,
    status: 'dropped',
    pendingEffects: effects,
    updatedAt: now,
  }
  if (!(await dependencies.store.commit(dropped, dependencies.sessionTtlSeconds))) return 'conflict'

  logger.info({ flow: record.flowId, reason, captured, sms: effects.length }, 'session dropped')
  await dispatchEffects(dependencies.effects, effects, logger)
  return 'dropped'
}

function restoreCursor(flow: Flow, record: SessionRecord): FlowCursor | undefined {
  try {
    const snapshot = restoreSnapshot(flow, record)
    return new FlowCursor(flow, snapshot, record, record)
  } catch {
    // A session the current flow cannot restore has nothing trustworthy to tell or keep.
    return undefined
  }
}

function dropSms(cursor: FlowCursor, record: SessionRecord, messages: EngineMessages): Effect {
  const flow = cursor.flow
  const meta = cursor.meta()
  const minutes = Math.round(flow.resumeWindowSeconds / 60)
  const fallback = minutes > 0 ? messages.dropped : messages.droppedNoResume
  const activity = cursor.text(meta.activity ?? flow.title ?? messages.defaultActivity)
  const template = localize(
    meta.onDrop ?? flow.onDrop ?? fallback,
    cursor.language,
    flow.defaultLanguage,
  )

  return {
    kind: 'sms',
    to: record.msisdn,
    text: fillTemplate(template, {
      ...cursor.context,
      activity,
      minutes,
      serviceCode: record.serviceCode,
    }),
    idempotencyKey: `${record.key}:${record.version}:drop`,
    sessionKey: record.key,
    flowId: flow.id,
    // Nobody asked for it, so it is not sent to a person who opted out.
    category: 'notification',
  }
}

async function saveDraft(
  cursor: FlowCursor,
  record: SessionRecord,
  store: SessionStore,
  now: number,
) {
  const window = cursor.flow.resumeWindowSeconds
  if (window <= 0) return

  await store.saveDraft(
    {
      msisdn: record.msisdn,
      flowId: record.flowId,
      flowVersion: record.flowVersion,
      flowRevision: record.flowRevision,
      value: record.value,
      context: record.context,
      history: record.history,
      savedAt: now,
    },
    window,
  )
}
