import type { AnyStateNode } from 'xstate'
import type { Flow, ScreenSpec } from '../../engine/flow.ts'
import type { Finding } from './finding.ts'
import { allNodes, edgesOut, metaOf, stateName, stateValueOf } from './flow-graph.ts'
import { sampleContext } from './sample-context.ts'

/**
 * Reports states a caller cannot leave the way the flow means them to: states that are not an
 * end but lead nowhere, screens whose answers go nowhere, tasks whose result nothing handles,
 * and typed-input screens that offer no way back.
 */
export function checkWaysOut(flow: Flow): Finding[] {
  const findings: Finding[] = []

  for (const node of allNodes(flow.machine)) {
    if (node.type !== 'atomic') continue
    const add = (level: Finding['level'], message: string) =>
      findings.push({ level, flow: flow.id, state: stateName(node), message })

    const edges = edgesOut(node)
    if (edges.every((edge) => edge.targets.length === 0)) {
      add(
        'error',
        'this state is not an end, but no transition leads on from it, so callers who get here are stuck. Add a transition that leaves it, or make it a final state.',
      )
      continue
    }

    const meta = metaOf(node)
    if (meta.screen !== undefined) checkScreenWays(flow, node, meta.screen, add)
    if (meta.task !== undefined) checkTaskWays(flow, node, meta.task.name, add)
  }
  return findings
}

function checkScreenWays(
  flow: Flow,
  node: AnyStateNode,
  screen: ScreenSpec,
  add: (level: Finding['level'], message: string) => void,
): void {
  const answers = edgesOut(node).filter((edge) => edge.event === 'ANSWER')
  if (answers.length === 0) {
    add(
      'error',
      'this screen waits for an answer, but no ANSWER transition leads on from it, so every answer is rejected. Add an ANSWER transition.',
    )
    return
  }

  screen.options?.forEach((option, index) => {
    if (acceptsOption(flow, node, option.id)) return
    add(
      'error',
      `option ${index + 1} (id "${option.id}") leads nowhere: no ANSWER transition accepts it, so callers who choose it get "Invalid choice". Add a transition for it or remove the option.`,
    )
  })

  const waitsForInput = screen.input !== undefined && (screen.options?.length ?? 0) === 0
  if (waitsForInput && screen.back === false) {
    add(
      'warning',
      'this screen waits for typed input and has back: false, so a caller who cannot answer has no way out on the screen and waits until the network ends the session (about 180 s). Remove back: false, or lead to this screen from a menu that offers another way.',
    )
  }
}

/**
 * Checks whether an answer with this option id takes a transition, found by asking XState which
 * transitions the event enables in the sample context, so guards on the option id count.
 */
function acceptsOption(flow: Flow, node: AnyStateNode, id: string): boolean {
  try {
    const snapshot = flow.machine.resolveState({
      value: stateValueOf(node) as never,
      context: sampleContext(flow),
    })
    const enabled = flow.machine.getTransitionData(snapshot as never, { type: 'ANSWER', value: id })
    return enabled.length > 0
  } catch {
    // A guard that needs context the sample lacks cannot be judged, so the option counts as handled.
    return true
  }
}

function checkTaskWays(
  flow: Flow,
  node: AnyStateNode,
  task: string,
  add: (level: Finding['level'], message: string) => void,
): void {
  if (flow.tasks[task] === undefined) {
    const provided = Object.keys(flow.tasks)
    add(
      'error',
      `this state runs task "${task}", which the flow's tasks do not include, so the session fails here. ` +
        (provided.length > 0
          ? `Tasks provided: ${provided.join(', ')}.`
          : 'The flow has no tasks.'),
    )
  }

  const done = edgesOut(node).some((edge) => edge.event === 'TASK.DONE' && edge.targets.length > 0)
  if (!done) {
    add(
      'error',
      `this state runs task "${task}", but no TASK.DONE transition leads on from it, so the session fails when the task finishes. Add a TASK.DONE transition.`,
    )
  }
}
