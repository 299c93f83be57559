import type { Flow } from '../../engine/flow.ts'
import type { Finding } from './finding.ts'
import { allNodes, reachableNodes, stateName } from './flow-graph.ts'

/**
 * Warns about states no session can reach from the start, the language screen or the home
 * state. A nested group of states that cannot be reached is reported once, not state by state.
 */
export function checkReachability(flow: Flow): Finding[] {
  const reachable = reachableNodes(flow)
  const findings: Finding[] = []

  for (const node of allNodes(flow.machine)) {
    if (reachable.has(node)) continue
    const parent = node.parent
    if (parent !== undefined && parent !== flow.machine.root && !reachable.has(parent)) continue

    findings.push({
      level: 'warning',
      flow: flow.id,
      state: stateName(node),
      message:
        'no option, answer or task leads to this state, so no caller can reach it. Remove the state, or lead an option or next: to it.',
    })
  }
  return findings
}
