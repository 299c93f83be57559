import type { AnyStateMachine, AnyStateNode } from 'xstate'
import type { Flow, StateMeta } from '../../engine/flow.ts'

/** One way out of a state: the event that takes it and the states it leads to. */
export interface FlowEdge {
  /** `ANSWER`, `TASK.DONE`, `TASK.ERROR`, `always` for a branch, or the machine's own event. */
  readonly event: string
  readonly targets: readonly AnyStateNode[]
  /** Index of the transition among those of its event, in declaration order. */
  readonly index: number
  /** The state that declares the transition: the node itself or one of its parents. */
  readonly source: AnyStateNode
  readonly guarded: boolean
  readonly actions: readonly unknown[]
}

/** Name of a state in messages: `menu`, or `send.otp.entering` for a nested one. */
export function stateName(node: AnyStateNode): string {
  return node.path.join('.')
}

export function metaOf(node: AnyStateNode): StateMeta {
  return (node.meta ?? {}) as StateMeta
}

/** Lists every state of the machine except the root, parents before their children. */
export function allNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = []
  const visit = (node: AnyStateNode) => {
    if (node !== machine.root) nodes.push(node)
    Object.values(node.states).forEach(visit)
  }
  visit(machine.root)
  return nodes
}

/** Tests for a final state that ends the session, not one that only finishes a parent state. */
export function endsSession(node: AnyStateNode): boolean {
  return node.type === 'final' && node.parent?.parent === undefined
}

/** Transitions declared on `node` itself, eventless (`always`) ones included. */
export function ownEdges(node: AnyStateNode): FlowEdge[] {
  const edges: FlowEdge[] = []
  for (const [event, transitions] of node.transitions) {
    transitions.forEach((transition, index) =>
      edges.push({
        event,
        targets: transition.target ?? [],
        index,
        source: node,
        guarded: transition.guard !== undefined,
        actions: transition.actions ?? [],
      }),
    )
  }
  ;(node.always ?? []).forEach((transition, index) =>
    edges.push({
      event: 'always',
      targets: transition.target ?? [],
      index,
      source: node,
      guarded: transition.guard !== undefined,
      actions: transition.actions ?? [],
    }),
  )
  return edges
}

/**
 * Transitions that can take the session out of `node`: its own and its parents', because an
 * event a nested state does not handle goes to the state around it.
 */
export function edgesOut(node: AnyStateNode): FlowEdge[] {
  const edges: FlowEdge[] = []
  for (let current: AnyStateNode | undefined = node; current; current = current.parent) {
    edges.push(...ownEdges(current))
  }
  return edges
}

/** Returns the state a session is in after entering `node`: its initial child, down to a leaf. */
export function enteredLeaf(node: AnyStateNode): AnyStateNode {
  let current = node
  while (current.type === 'compound') {
    const next = current.initial?.target?.[0]
    if (next === undefined) break
    current = next
  }
  return current
}

/** States a new session starts in: the initial state, and the language screen when there is one. */
export function startNodes(flow: Flow): AnyStateNode[] {
  const starts = [flow.machine.root.initial?.target?.[0]]
  if (flow.languageState !== undefined) starts.push(flow.machine.root.states[flow.languageState])
  return starts.filter((node): node is AnyStateNode => node !== undefined)
}

/** Finds the state node a state value names (`'menu'`, `{ send: 'otp' }`), or undefined. */
export function nodeForValue(machine: AnyStateMachine, value: unknown): AnyStateNode | undefined {
  let node: AnyStateNode | undefined = machine.root
  let current = value
  while (node !== undefined && current !== undefined) {
    if (typeof current === 'string') return node.states[current]
    if (current === null || typeof current !== 'object') return undefined

    const [key, rest] = Object.entries(current)[0] ?? []
    if (key === undefined) return node
    node = node.states[key]
    current = rest
  }
  return node
}

/**
 * States a session can be in, found breadth first from the starts and the home state, so each
 * state is visited once however the flow loops.
 */
export function reachableNodes(flow: Flow): Set<AnyStateNode> {
  const starts = [...startNodes(flow), nodeForValue(flow.machine, flow.home)]
  const seen = new Set<AnyStateNode>()
  const queue = starts.filter((node): node is AnyStateNode => node !== undefined)

  while (queue.length > 0) {
    const node = queue.shift() as AnyStateNode
    if (seen.has(node)) continue
    seen.add(node)

    for (let parent = node.parent; parent; parent = parent.parent) seen.add(parent)
    const leaf = enteredLeaf(node)
    if (leaf !== node) queue.push(leaf)
    for (const edge of edgesOut(node)) queue.push(...edge.targets)
  }
  return seen
}

/** Returns the state value that names `node`: `'menu'`, or `{ send: 'otp' }` when nested. */
export function stateValueOf(node: AnyStateNode): unknown {
  const nest = (path: readonly string[]): unknown => {
    const [head, ...tail] = path
    return tail.length === 0 ? head : { [head as string]: nest(tail) }
  }
  return nest(node.path)
}
