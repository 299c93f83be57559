import type { AnyMachineSnapshot } from 'xstate'
import type { SessionRecord } from '../store/session-store.ts'
import type { Flow, PersistedState } from './flow.ts'
import { leafMeta } from './flow-cursor.ts'

/** Raised when a stored session cannot run on the flow that is loaded now. */
export class SnapshotMismatchError extends Error {
  override readonly name = 'SnapshotMismatchError'
}

/**
 * Rebuilds the XState snapshot of a stored session. A session saved under an older flow version
 * is moved through the flow's migrations; one with no migration path, or whose state no longer
 * exists, raises `SnapshotMismatchError` instead of running on stale state.
 */
export function restoreSnapshot(
  flow: Flow,
  record: Pick<SessionRecord, 'value' | 'context' | 'flowVersion'>,
): AnyMachineSnapshot {
  let state: PersistedState = { value: record.value, context: record.context }

  for (let version = record.flowVersion; version < flow.version; version += 1) {
    const migration = flow.migrations.find((candidate) => candidate.fromVersion === version)
    if (migration === undefined) {
      throw new SnapshotMismatchError(
        `no migration from version ${version} of flow "${flow.id}" (now at ${flow.version})`,
      )
    }
    state = migration.migrate(state)
  }
  if (record.flowVersion > flow.version) {
    throw new SnapshotMismatchError(
      `session is on version ${record.flowVersion}, newer than the loaded ${flow.version}`,
    )
  }

  const meta = leafMeta(flow.machine, state.value)
  if (meta.screen === undefined && meta.end === undefined) {
    throw new SnapshotMismatchError(
      `state ${JSON.stringify(state.value)} is not a screen of flow "${flow.id}"`,
    )
  }

  try {
    return flow.machine.resolveState({ value: state.value as never, context: state.context })
  } catch (error) {
    throw new SnapshotMismatchError(`state ${JSON.stringify(state.value)} cannot be restored`, {
      cause: error,
    })
  }
}
