import type { AnyStateNode, AnyTransitionDefinition } from 'xstate'
import type { Flow, LocalizedText, StateMeta } from '../engine/flow.ts'
import { localize } from '../engine/localize.ts'
import { truncate } from '../engine/render-ussd-screen.ts'
import { allNodes, metaOf, ownEdges, stateValueOf, type FlowEdge } from './checks/flow-graph.ts'
import { sampleContext } from './checks/sample-context.ts'
import { FlowFileError } from './flow-file-error.ts'

export interface DiagramOptions {
  /** Language of the labels: the flow's default language when absent. */
  readonly language?: string
  /** Characters of a label before it is cut with "...". */
  readonly labelLength?: number
}

const defaultLabelLength = 40
// Words of Mermaid's state diagram syntax, which it could misread as state ids.
const mermaidKeywords = new Set(['end', 'state', 'note', 'direction', 'class', 'classDef', 'style'])
// Characters a label keeps as they are. Mermaid could read the others as syntax (`;` ends a
// statement, `%%` starts a comment), so they are written as entity codes (`#59;`), which Mermaid
// turns back into the character when it draws. Checked by rendering with Mermaid 11.17.
const plainCharacter = /[\p{L}\p{N} .,'!?()/&*+=_@$£{}-]/u
const indent = '  '

/**
 * Writes a flow as a Mermaid `stateDiagram-v2`. Each state shows the first line of its prompt,
 * end text or task in one language, and each transition its option, "answer", "done" or "error".
 * Nested states become composite states, and the session's ends lead to `[*]`. The navigation
 * keys (back, home, more) work on every screen, so they are not drawn.
 */
export function flowDiagram(flow: Flow, options: DiagramOptions = {}): string {
  const language = options.language ?? flow.defaultLanguage
  if (!flow.languages.includes(language)) {
    throw new FlowFileError(
      flow.source,
      '',
      `has no language "${language}". Use one of: ${flow.languages.join(', ')}.`,
    )
  }

  const labelLength = options.labelLength ?? defaultLabelLength
  const ids = diagramIds(flow)
  const diagram: DiagramContext = {
    flow,
    language,
    labelLength,
    ids,
    edges: edgesByBlock(flow, ids, optionLabels(flow, language, labelLength)),
  }
  const lines = ['stateDiagram-v2', ...blockLines(diagram, flow.machine.root, 1)]
  return `${lines.join('\n')}\n`
}

interface DiagramContext {
  readonly flow: Flow
  readonly language: string
  readonly labelLength: number
  readonly ids: ReadonlyMap<AnyStateNode, string>
  /** Arrow lines, by the state whose block draws them. */
  readonly edges: ReadonlyMap<AnyStateNode, readonly string[]>
}

/** Writes the states directly inside `parent`, with their arrows, indented `depth` levels. */
function blockLines(diagram: DiagramContext, parent: AnyStateNode, depth: number): string[] {
  const pad = indent.repeat(depth)
  const id = (node: AnyStateNode) => diagram.ids.get(node) ?? node.key
  const lines: string[] = []

  const initial = parent.initial?.target?.[0]
  if (initial !== undefined) lines.push(`${pad}[*] --> ${id(initial)}`)
  const languageState = diagram.flow.languageState
  const chooser = languageState === undefined ? undefined : parent.states[languageState]
  if (parent.parent === undefined && chooser !== undefined && chooser !== initial) {
    lines.push(`${pad}[*] --> ${id(chooser)} : ${escapeLabel('new caller')}`)
  }

  for (const node of Object.values(parent.states)) {
    // A declared title makes Mermaid show the state's name above its label.
    const declaration = `${pad}state "${escapeLabel(node.key)}" as ${id(node)}`
    if (node.type === 'compound') {
      lines.push(`${declaration} {`, ...blockLines(diagram, node, depth + 1), `${pad}}`)
      continue
    }

    lines.push(declaration)
    const label = stateLabel(diagram, metaOf(node), node.always !== undefined)
    if (label !== undefined) lines.push(`${pad}${id(node)} : ${label}`)
    if (node.type === 'final') lines.push(`${pad}${id(node)} --> [*]`)
  }

  lines.push(...(diagram.edges.get(parent) ?? []).map((line) => `${pad}${line}`))
  return lines
}

function stateLabel(
  diagram: DiagramContext,
  meta: StateMeta,
  isBranch: boolean,
): string | undefined {
  const text: LocalizedText | undefined = meta.screen?.prompt ?? meta.end?.text
  if (text !== undefined) {
    const firstLine = localize(text, diagram.language, diagram.flow.defaultLanguage).split('\n')[0]
    return escapeLabel(truncate(firstLine ?? '', diagram.labelLength))
  }
  if (meta.task !== undefined) return escapeLabel(`task ${meta.task.name}`)
  return isBranch ? 'branch' : undefined
}

/**
 * Builds ids that Mermaid accepts and that stay readable: the state's own name where it is unique in
 * the flow, its path joined with `_` where two nested states share a name.
 */
function diagramIds(flow: Flow): Map<AnyStateNode, string> {
  const nodes = allNodes(flow.machine)
  const counts = new Map<string, number>()
  for (const node of nodes) counts.set(node.key, (counts.get(node.key) ?? 0) + 1)

  const ids = new Map<AnyStateNode, string>()
  const taken = new Set<string>()
  for (const node of nodes) {
    const name = counts.get(node.key) === 1 ? node.key : node.path.join('_')
    let id = name.replace(/[^A-Za-z0-9_]/g, '_')
    if (mermaidKeywords.has(id)) id = `${id}_state`
    for (let suffix = 2; taken.has(id); suffix += 1) id = `${id.replace(/_\d+$/, '')}_${suffix}`

    taken.add(id)
    ids.set(node, id)
  }
  return ids
}

/**
 * Groups the arrow lines by the block that draws them. Mermaid 11.17 lays a composite state out
 * badly when an arrow crosses its border to a state inside, so each arrow runs between the
 * outermost states that hold its two ends below their common parent, in that parent's block.
 */
function edgesByBlock(
  flow: Flow,
  ids: ReadonlyMap<AnyStateNode, string>,
  labels: ReadonlyMap<AnyTransitionDefinition, readonly string[]>,
): Map<AnyStateNode, string[]> {
  const blocks = new Map<AnyStateNode, string[]>()

  for (const node of allNodes(flow.machine)) {
    for (const edge of ownEdges(node)) {
      for (const target of edge.targets) {
        const { block, from, to } = liftToCommonParent(node, target, flow.machine.root)
        const names = edgeLabels(edge, labels)
        const lines = blocks.get(block) ?? []
        for (const name of names) {
          const suffix = name === '' ? '' : ` : ${escapeLabel(name)}`
          lines.push(`${ids.get(from)} --> ${ids.get(to)}${suffix}`)
        }
        blocks.set(block, lines)
      }
    }
  }
  return blocks
}

function liftToCommonParent(
  source: AnyStateNode,
  target: AnyStateNode,
  root: AnyStateNode,
): { block: AnyStateNode; from: AnyStateNode; to: AnyStateNode } {
  const sourceChain = ancestorsOf(source)
  const targetChain = ancestorsOf(target)
  let block = root
  for (const candidate of sourceChain) {
    if (targetChain.includes(candidate) && candidate !== source && candidate !== target) {
      block = candidate
      break
    }
  }

  const childOf = (node: AnyStateNode) => {
    let current = node
    while (current.parent !== undefined && current.parent !== block) current = current.parent
    return current
  }
  return { block, from: childOf(source), to: childOf(target) }
}

/** Lists `node` and its parents, innermost first, the root last. */
function ancestorsOf(node: AnyStateNode): AnyStateNode[] {
  const chain: AnyStateNode[] = []
  for (let current: AnyStateNode | undefined = node; current; current = current.parent) {
    chain.push(current)
  }
  return chain
}

function edgeLabels(
  edge: FlowEdge,
  labels: ReadonlyMap<AnyTransitionDefinition, readonly string[]>,
): readonly string[] {
  if (edge.event === 'ANSWER') {
    const transition = edge.source.transitions.get('ANSWER')?.[edge.index]
    const options = transition === undefined ? undefined : labels.get(transition)
    return options !== undefined && options.length > 0 ? options : ['answer']
  }
  if (edge.event === 'TASK.DONE' || edge.event.startsWith('xstate.done.state.')) return ['done']
  if (edge.event === 'TASK.ERROR') return ['error']
  if (edge.event === 'always') return ['']
  return [edge.event]
}

/**
 * Finds the labels of the options that take each ANSWER transition, found by asking XState which
 * transition an answer with the option's id enables, so guards on the id are followed exactly.
 */
function optionLabels(
  flow: Flow,
  language: string,
  labelLength: number,
): Map<AnyTransitionDefinition, readonly string[]> {
  const labels = new Map<AnyTransitionDefinition, string[]>()
  const context = sampleContext(flow, language)

  for (const node of allNodes(flow.machine)) {
    for (const option of metaOf(node).screen?.options ?? []) {
      let transition: AnyTransitionDefinition | undefined
      try {
        const snapshot = flow.machine.resolveState({ value: stateValueOf(node) as never, context })
        const event = { type: 'ANSWER', value: option.id }
        transition = flow.machine.getTransitionData(snapshot as never, event)[0]
      } catch {
        // A guard that needs context the sample lacks: the arrow keeps the label "answer".
        continue
      }
      if (transition === undefined) continue

      const label = truncate(localize(option.label, language, flow.defaultLanguage), labelLength)
      labels.set(transition, [...(labels.get(transition) ?? []), label])
    }
  }
  return labels
}

/** Writes `text` so Mermaid shows it as it is: on one line, other characters as entity codes. */
export function escapeLabel(text: string): string {
  let escaped = ''
  for (const char of text.replace(/\s+/g, ' ').trim()) {
    escaped += plainCharacter.test(char) ? char : `#${char.codePointAt(0)};`
  }
  return escaped
}
