import { initialTransition, type AnyStateNode } from 'xstate'
import { FlowCursor } from '../engine/flow-cursor.ts'
import type { Flow, LocalizedText, ScreenSpec, StateMeta } from '../engine/flow.ts'
import { localize } from '../engine/localize.ts'
import { defaultMessages } from '../engine/messages.ts'
import { renderUssd, screenOptions } from '../engine/ussd-screen.ts'
import { findNonGsm7Characters } from '../text/gsm7.ts'
import { fillTemplate } from '../text/template.ts'

export interface Finding {
  readonly level: 'error' | 'warning'
  readonly flow: string
  readonly state?: string
  readonly language?: string
  readonly message: string
}

export interface CheckSettings {
  readonly screenLimit: number
  readonly defaultCountryCode: string
}

// Room the engine keeps for an error line above a prompt.
const errorLineRoom = 30

/**
 * Checks a loaded flow before it goes live: screens that do not fit the USSD limit in some
 * language, characters outside GSM-7, states nothing leads to, and states with no way on.
 */
export function checkFlow(flow: Flow, settings: CheckSettings): Finding[] {
  const findings: Finding[] = []
  const nodes = allNodes(flow.machine.root)
  const reachable = reachableNodes(flow)
  const sample = sampleContext(flow)

  for (const node of nodes) {
    const state = node.path.join('.')
    const meta = (node.meta ?? {}) as StateMeta
    const add = (level: Finding['level'], message: string, language?: string) =>
      findings.push({ level, flow: flow.id, state, language, message })

    if (node.type === 'atomic' && !reachable.has(node)) {
      add('warning', 'no option, answer or task leads here. Remove the state or add a way to it.')
    }
    if (node.type === 'atomic' && outgoing(node).length === 0) {
      add('error', 'is not final but has no way forward. Add options, next, or make it an end.')
    }

    for (const text of textsOf(meta)) {
      for (const language of flow.languages) {
        const rendered = fillTemplate(localize(text, language, flow.defaultLanguage), sample)
        const outside = findNonGsm7Characters(rendered)
        if (outside.length > 0) {
          add(
            'warning',
            `uses ${outside.map((c) => JSON.stringify(c)).join(' ')}, outside GSM-7: USSD drops them and an SMS shrinks to 70 characters. Use plain characters.`,
            language,
          )
        }
      }
    }

    if (meta.screen !== undefined) {
      for (const language of flow.languages) {
        checkScreen(flow, node, meta.screen, language, settings).forEach((message) =>
          add('error', message, language),
        )
      }
    }
  }
  return findings
}

function checkScreen(
  flow: Flow,
  node: AnyStateNode,
  screen: ScreenSpec,
  language: string,
  settings: CheckSettings,
): string[] {
  const context = { ...sampleContext(flow), language }
  const snapshot = flow.machine.resolveState({ value: valueOf(node) as never, context })
  const cursor = new FlowCursor(
    flow,
    snapshot,
    { history: [0], pages: [0], shown: 0 },
    { key: 'check', msisdn: '+254700000001', version: 0 },
  )
  const limit = settings.screenLimit
  const problems: string[] = []

  const prompt = fillTemplate(localize(screen.prompt, language, flow.defaultLanguage), context)
  if (prompt.length > limit - errorLineRoom) {
    problems.push(
      `prompt is ${prompt.length} characters with the sample values; keep it under ${limit - errorLineRoom} so an error line and the options fit on a ${limit}-character screen.`,
    )
  }

  const options = screenOptions(cursor, screen)
  const engineSettings = {
    screenLimit: limit,
    messages: defaultMessages,
    defaultCountryCode: settings.defaultCountryCode,
  }
  let start = 0
  for (let page = 1; start < options.length && page <= 50; page += 1) {
    cursor.pages = [start]
    renderUssd(cursor, engineSettings)
    const cut = options
      .slice(start, start + cursor.shown)
      .some((option) => option.label.length + 5 > limit - 40)
    if (cut)
      problems.push(`an option on page ${page} is cut with "..." to fit the screen. Shorten it.`)
    start += Math.max(cursor.shown, 1)
  }
  return problems
}

function sampleContext(flow: Flow): Record<string, unknown> {
  const [initial] = initialTransition(flow.machine, { msisdn: '+254700000001' })
  return { ...(initial.context as Record<string, unknown>), ...flow.sample }
}

function textsOf(meta: StateMeta): LocalizedText[] {
  const screen = meta.screen
  const texts: (LocalizedText | undefined)[] = [
    screen?.prompt,
    screen?.input?.error,
    meta.end?.text,
  ]
  for (const option of screen?.options ?? []) texts.push(option.label)
  return texts.filter((text): text is LocalizedText => text !== undefined)
}

function allNodes(root: AnyStateNode): AnyStateNode[] {
  const nodes: AnyStateNode[] = []
  const visit = (node: AnyStateNode) => {
    if (node !== root) nodes.push(node)
    Object.values(node.states).forEach(visit)
  }
  visit(root)
  return nodes
}

function outgoing(node: AnyStateNode): AnyStateNode[] {
  const targets: AnyStateNode[] = []
  for (let current: AnyStateNode | undefined = node; current; current = current.parent) {
    for (const transitions of current.transitions.values()) {
      for (const transition of transitions) targets.push(...(transition.target ?? []))
    }
    for (const transition of current.always ?? []) targets.push(...(transition.target ?? []))
  }
  return targets
}

function reachableNodes(flow: Flow): Set<AnyStateNode> {
  const root = flow.machine.root
  const starts = [flow.machine.config.initial, flow.languageState, flow.home]
    .filter((name): name is string => typeof name === 'string')
    .map((name) => root.states[name])
    .filter((node): node is AnyStateNode => node !== undefined)

  const seen = new Set<AnyStateNode>()
  const queue = [...starts]
  while (queue.length > 0) {
    const node = queue.shift() as AnyStateNode
    if (seen.has(node)) continue
    seen.add(node)
    queue.push(...outgoing(node), ...Object.values(node.states).slice(0, 1))
    if (node.initial?.target) queue.push(...node.initial.target)
  }
  return seen
}

/** The state value that names `node`: `'menu'`, or `{ send: 'otp' }` for a nested state. */
function valueOf(node: AnyStateNode): unknown {
  const nest = (path: readonly string[]): unknown => {
    const [head, ...tail] = path
    return tail.length === 0 ? head : { [head as string]: nest(tail) }
  }
  return nest(node.path)
}
