import type { AnyStateNode } from 'xstate'
import { FlowCursor } from '../../engine/flow-cursor.ts'
import type { Flow, LocalizedText, ScreenSpec } from '../../engine/flow.ts'
import { localize } from '../../engine/localize.ts'
import { defaultMessages } from '../../engine/messages.ts'
import { renderUssdText, truncate } from '../../engine/render-ussd-screen.ts'
import { renderUssd, screenOptions, type UssdScreenSettings } from '../../engine/ussd-screen.ts'
import { toGsm7Basic } from '../../text/gsm7.ts'
import { fillTemplate } from '../../text/template.ts'
import type { CheckSettings, Finding } from './finding.ts'
import { allNodes, metaOf, stateName, stateValueOf } from './flow-graph.ts'
import { sampleContext, sampleMsisdn } from './sample-context.ts'

/** A part of a screen that did not fit, keyed so the same part is reported once. */
interface Cut {
  readonly key: string
  readonly describe: (errorLine: string | undefined) => string
}

// Bounds the pages of one list. The engine shows at most 97 options, so no real list reaches it.
const maxPages = 100
const ellipsis = '...'
// Characters of a long label quoted in a message: enough to recognise it.
const quoteLength = 40

/**
 * Renders every screen of the flow as the engine does, on every page and in every language, with
 * the flow's sample values, and reports the prompts, options, end texts and footer lines that do
 * not fit the screen limit. A cut that appears only under the error line of a wrong answer is a
 * warning, and any other cut is an error.
 */
export function checkScreens(flow: Flow, settings: CheckSettings): Finding[] {
  const findings: Finding[] = []
  for (const node of allNodes(flow.machine)) {
    const meta = metaOf(node)
    for (const language of flow.languages) {
      const add = (level: Finding['level'], message: string) =>
        findings.push({ level, flow: flow.id, state: stateName(node), language, message })

      if (meta.screen !== undefined) {
        checkScreen(flow, node, meta.screen, language, settings, add)
      }
      if (meta.end !== undefined) {
        const context = sampleContext(flow, language)
        const message = checkEndText(flow, meta.end.text, context, settings.screenLimit)
        if (message !== undefined) add('error', message)
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
  add: (level: Finding['level'], message: string) => void,
): void {
  const cursor = cursorAt(flow, node, language)
  const engineSettings: UssdScreenSettings = {
    screenLimit: settings.screenLimit,
    messages: defaultMessages,
    defaultCountryCode: settings.defaultCountryCode,
  }

  const plain = findCuts(cursor, screen, engineSettings, undefined)
  for (const cut of plain) add('error', cut.describe(undefined))

  const errorText = errorShownOn(screen)
  const errorLine = toGsm7Basic(cursor.text(errorText))
  const reported = new Set(plain.map((cut) => cut.key))
  for (const cut of findCuts(cursor, screen, engineSettings, errorText)) {
    if (!reported.has(cut.key)) add('warning', cut.describe(errorLine))
  }
}

/** Returns a cursor on `node`, as if the caller came from another screen, so a back line shows. */
function cursorAt(flow: Flow, node: AnyStateNode, language: string): FlowCursor {
  const context = sampleContext(flow, language)
  const snapshot = flow.machine.resolveState({ value: stateValueOf(node) as never, context })
  return new FlowCursor(
    flow,
    snapshot,
    { history: [flow.home], pages: [0], shown: 0 },
    { key: 'check', msisdn: sampleMsisdn, version: 0 },
  )
}

/** Returns the error line a wrong answer puts above this screen's prompt. */
function errorShownOn(screen: ScreenSpec): LocalizedText {
  const hasOptions = (screen.options?.length ?? 0) > 0 || screen.list !== undefined
  const input = screen.input
  if (hasOptions || input === undefined) return defaultMessages.invalidChoice
  if (input.error !== undefined) return input.error
  if (input.pattern !== undefined) return defaultMessages.invalidText

  const byType = {
    text: defaultMessages.invalidText,
    number: defaultMessages.invalidNumber,
    phone: defaultMessages.invalidPhone,
    pin: defaultMessages.invalidPin,
  }
  return byType[input.type]
}

function findCuts(
  cursor: FlowCursor,
  screen: ScreenSpec,
  settings: UssdScreenSettings,
  error: LocalizedText | undefined,
): Cut[] {
  const options = screenOptions(cursor, screen)
  const prompt = toGsm7Basic(cursor.text(screen.prompt))
  const errorLine = error === undefined ? undefined : toGsm7Basic(cursor.text(error))
  const navigation = cursor.flow.navigation
  const backLine = toGsm7Basic(`${navigation.back}. ${cursor.text(settings.messages.back)}`)
  const moreLine = toGsm7Basic(`${navigation.more}. ${cursor.text(settings.messages.more)}`)
  const cuts: Cut[] = []

  let start = 0
  for (let page = 1; page <= maxPages; page += 1) {
    cursor.pages = start === 0 ? [0] : [0, start]
    cursor.error = error
    const text = renderUssd(cursor, settings).text
    const lines = text.split('\n')

    if (page === 1) {
      const cut = promptCut(text, prompt, errorLine, options.length > 0)
      if (cut !== undefined) cuts.push(cut)
    }

    const shown = options.length === 0 ? 0 : Math.max(cursor.shown, 1)
    for (let index = start; index < start + shown; index += 1) {
      const label = options[index]?.label ?? ''
      const cut = optionCut(lines, index, label, page, screen)
      if (cut !== undefined) cuts.push(cut)
    }

    const hasMore = start + shown < options.length
    if (hasMore && !lines.includes(moreLine)) cuts.push(footerCut(moreLine, 'more', page))
    if (screen.back !== false && !lines.includes(backLine)) {
      cuts.push(footerCut(backLine, 'back', page))
    }

    if (!hasMore) break
    start += shown
  }
  return cuts
}

function promptCut(
  text: string,
  prompt: string,
  errorLine: string | undefined,
  hasOptions: boolean,
): Cut | undefined {
  const body =
    errorLine !== undefined && text.startsWith(`${errorLine}\n`)
      ? text.slice(errorLine.length + 1)
      : text
  if (body === prompt || body.startsWith(`${prompt}\n`)) return undefined

  const room = commonPrefixLength(body, prompt) + ellipsis.length
  const nextTo = hasOptions ? ' next to its options' : ''
  return {
    key: 'prompt',
    describe: (shownError) =>
      shownError === undefined
        ? `prompt is ${prompt.length} characters with the sample values, but the screen has room for ${room}${nextTo}, so callers see it cut with "...". Shorten it to ${room} characters or fewer.`
        : `prompt is ${prompt.length} characters with the sample values, and after a wrong answer the error line "${shownError}" leaves room for ${room}, so callers see it cut with "...". Shorten the prompt or the error text by ${prompt.length - room} characters.`,
  }
}

function optionCut(
  lines: readonly string[],
  index: number,
  label: string,
  page: number,
  screen: ScreenSpec,
): Cut | undefined {
  const number = `${index + 1}. `
  const expected = number + toGsm7Basic(label).replace(/\n/g, ' ')
  if (lines.includes(expected)) return undefined

  const shownLine = lines.find((line) => line.startsWith(number)) ?? number
  const room = shownLine.length - number.length
  const fix =
    screen.list === undefined
      ? `Shorten it to ${room} characters or fewer.`
      : `Shorten the list label "${screen.list.label}" or the values behind it, so that items like this one fit in ${room} characters.`
  return {
    key: `option ${index + 1}`,
    describe: (shownError) =>
      `${screen.list === undefined ? 'option' : 'list item'} ${index + 1} "${truncate(label, quoteLength)}" on page ${page} is ${label.length} characters and is cut with "..." to fit the screen` +
      (shownError === undefined
        ? '. '
        : ` after a wrong answer, under the error line "${shownError}". `) +
      fix,
  }
}

function footerCut(line: string, kind: 'more' | 'back', page: number): Cut {
  const purpose = kind === 'more' ? 'see the next page' : 'go back'
  return {
    key: `${kind} on page ${page}`,
    describe: (shownError) =>
      `page ${page} has no room left for the "${line}" line` +
      (shownError === undefined
        ? ''
        : ` after a wrong answer, under the error line "${shownError}"`) +
      `, so callers cannot ${purpose}. Shorten the prompt or the options.`,
  }
}

function checkEndText(
  flow: Flow,
  text: LocalizedText,
  context: Record<string, unknown>,
  limit: number,
): string | undefined {
  const language = String(context['language'])
  const filled = fillTemplate(localize(text, language, flow.defaultLanguage), context)
  const body = toGsm7Basic(filled)
  if (renderUssdText({ body, limit }) === body) return undefined

  return `end text is ${body.length} characters with the sample values, but a screen holds ${limit}, so callers see it cut with "...". Shorten it by ${body.length - limit} characters.`
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1
  return length
}
