import type { AnyStateNode } from 'xstate'
import type { Flow } from '../../engine/flow.ts'
import type { Finding } from './finding.ts'
import { edgesOut, endsSession, enteredLeaf, metaOf, startNodes, stateName } from './flow-graph.ts'

// A USSD session on Kenyan networks lasts at most 180 s from the dial. 20 s a screen is an
// estimate of the time a caller needs to read a screen and key an answer.
export const sessionSeconds = 180
export const secondsPerScreen = 20
export const maxScreens = sessionSeconds / secondsPerScreen

// Paths explored before the search stops; flows of a few dozen states stay far below it.
const searchBudget = 200_000

/** The screens of one way from a start to an end, in order, and the end state. */
export interface LongestPath {
  readonly screens: readonly AnyStateNode[]
  readonly end: AnyStateNode
  /** False when the search ran out of budget: a longer path may exist. */
  readonly complete: boolean
}

/**
 * Warns when the longest way from a start to an end shows more screens than a caller can answer
 * within one USSD session. Tasks and branches cost no screen, because they run within a hop.
 */
export function checkSessionLength(flow: Flow): Finding[] {
  const longest = findLongestPath(flow)
  if (longest === undefined || longest.screens.length <= maxScreens) return []

  const count = longest.screens.length
  const names = [...longest.screens, longest.end].map(stateName).join(' > ')
  return [
    {
      level: 'warning',
      flow: flow.id,
      message:
        `the longest way from the start to an end shows ${longest.complete ? '' : 'at least '}${count} screens: ${names}. ` +
        `At about ${secondsPerScreen} s a screen that takes ${count * secondsPerScreen} s, longer than the ${sessionSeconds} s a USSD session lasts, so callers may be cut off before the end. ` +
        `Ask fewer questions on this way, or split it into two sessions.`,
    },
  ]
}

/**
 * Finds the way from a start to an end that shows the most screens. The search follows each
 * state at most once per path, so loops (back to the menu, change language) end it, and it stops
 * after a fixed budget of steps, which makes the result an estimate on very large flows.
 */
export function findLongestPath(flow: Flow): LongestPath | undefined {
  let best: { screens: AnyStateNode[]; end: AnyStateNode } | undefined
  let budget = searchBudget
  const onPath = new Set<AnyStateNode>()
  const screens: AnyStateNode[] = []

  const visit = (node: AnyStateNode) => {
    budget -= 1
    if (budget < 0 || onPath.has(node)) return

    onPath.add(node)
    const isScreen = metaOf(node).screen !== undefined
    if (isScreen) screens.push(node)

    if (endsSession(node)) {
      if (best === undefined || screens.length > best.screens.length) {
        best = { screens: [...screens], end: node }
      }
    } else {
      for (const next of nextStates(node)) visit(next)
    }

    if (isScreen) screens.pop()
    onPath.delete(node)
  }

  for (const start of startNodes(flow)) visit(enteredLeaf(start))
  return best === undefined ? undefined : { ...best, complete: budget >= 0 }
}

function nextStates(node: AnyStateNode): AnyStateNode[] {
  const next = new Set<AnyStateNode>()
  for (const edge of edgesOut(node)) {
    for (const target of edge.targets) next.add(enteredLeaf(target))
  }
  return [...next]
}
