import type { AnyStateNode } from 'xstate'
import type { Flow, StateMeta } from '../engine/flow.ts'
import { FlowFileError } from './flow-file-error.ts'

/**
 * Rejects machines the engine cannot persist safely. Invoked and spawned actors are re-run or
 * lost when a snapshot is restored, so side effects and backend calls must be tasks or effects;
 * parallel states have no single screen to show.
 */
export function checkMachine(flow: Flow): void {
  visit(flow.machine.root, flow)
}

function visit(node: AnyStateNode, flow: Flow): void {
  const where = `state "${node.path.join('.') || node.id}"`
  const fail = (message: string) => {
    throw new FlowFileError(flow.source, where, message)
  }

  if (node.invoke.length > 0) {
    fail(
      'invokes an actor. Restored sessions re-run invoked actors, so make the call a task (meta.task) instead.',
    )
  }
  if (node.type === 'parallel') {
    fail(
      'is a parallel state. A USSD or voice session shows one screen at a time, so use nested states.',
    )
  }

  const meta = (node.meta ?? {}) as StateMeta
  const waits = node.type === 'atomic' && node.always === undefined
  if (waits && meta.screen === undefined && meta.task === undefined) {
    fail(
      'waits for an event but has no meta.screen or meta.task, so the engine has nothing to show.',
    )
  }

  for (const child of Object.values(node.states)) visit(child, flow)
}
