import { fillTemplate, readPath } from '../text/template.ts'
import type { SessionReply } from '../store/session-store.ts'
import { checkAnswer } from './check-answer.ts'
import { FlowError, type FlowCursor } from './flow-cursor.ts'
import type { ScreenSpec } from './flow.ts'
import type { EngineMessages } from './messages.ts'
import { renderUssdPage, renderUssdText } from './render-ussd-screen.ts'

export interface UssdScreenSettings {
  /** Maximum characters of a screen, not counting the `CON `/`END ` prefix. */
  readonly screenLimit: number
  readonly messages: EngineMessages
  readonly defaultCountryCode: string
}

interface ScreenOption {
  readonly label: string
  readonly value: unknown
}

// Option numbers stop below the "more" key (98 by default), so a number is never both.
const maxListItems = 97
// The back key returns through at most this many screens; older ones are dropped.
const maxHistory = 20

/** Lists the options a screen shows, in order, with their labels rendered for the cursor. */
export function screenOptions(cursor: FlowCursor, screen: ScreenSpec): ScreenOption[] {
  if (screen.options !== undefined) {
    return screen.options.map((option) => ({ label: cursor.text(option.label), value: option.id }))
  }
  if (screen.list === undefined) return []

  const items = readPath(cursor.context, screen.list.from)
  if (!Array.isArray(items)) return []
  const label = screen.list.label
  return items
    .slice(0, maxListItems)
    .map((item) => ({ label: fillTemplate(label, item), value: item }))
}

function canGoBack(cursor: FlowCursor, screen: ScreenSpec): boolean {
  return screen.back !== false && (cursor.history.length > 0 || cursor.pages.length > 1)
}

/** Renders the cursor's current state as a USSD reply and records how many options it showed. */
export function renderUssd(cursor: FlowCursor, settings: UssdScreenSettings): SessionReply {
  const meta = cursor.meta()
  const limit = settings.screenLimit

  if (cursor.done) {
    const body = meta.end === undefined ? '' : cursor.text(meta.end.text)
    return { end: true, text: renderUssdText({ body, limit }) }
  }

  const screen = meta.screen
  if (screen === undefined) {
    throw new FlowError(
      `Flow "${cursor.flow.id}" state ${JSON.stringify(cursor.snapshot.value)} has no screen, task or end.`,
    )
  }

  const navigation = cursor.flow.navigation
  const error = cursor.error === undefined ? undefined : cursor.text(cursor.error)
  const prompt = cursor.text(screen.prompt)
  const backLine = canGoBack(cursor, screen)
    ? `${navigation.back}. ${cursor.text(settings.messages.back)}`
    : undefined
  const options = screenOptions(cursor, screen)

  if (options.length === 0) {
    cursor.shown = 0
    return { end: false, text: renderUssdText({ error, body: prompt, footer: backLine, limit }) }
  }

  const page = renderUssdPage({
    error,
    prompt,
    options: options.map((option, index) => ({ number: String(index + 1), label: option.label })),
    start: cursor.pages.at(-1) ?? 0,
    backLine,
    moreLine: `${navigation.more}. ${cursor.text(settings.messages.more)}`,
    limit,
  })
  cursor.shown = page.shown
  return { end: false, text: page.text }
}

export type InputOutcome = 'accepted' | 'rejected'

/**
 * Applies one subscriber input to the screen the cursor waits on: navigation keys first (home,
 * back, more), then the options on the page that was shown, or the typed-input check. A rejected
 * input leaves the cursor on the same screen with an error line.
 */
export function applyUssdInput(
  cursor: FlowCursor,
  rawInput: string,
  settings: UssdScreenSettings,
): InputOutcome {
  const input = rawInput.trim()
  const screen = cursor.meta().screen
  if (screen === undefined) {
    throw new FlowError(
      `Flow "${cursor.flow.id}" state ${JSON.stringify(cursor.snapshot.value)} waits for input without a screen.`,
    )
  }

  cursor.error = undefined
  const navigation = cursor.flow.navigation
  const options = screenOptions(cursor, screen)
  const reject = (): InputOutcome => {
    cursor.error = settings.messages.invalidChoice
    return 'rejected'
  }

  if (input === navigation.home) {
    cursor.jump(cursor.flow.home)
    cursor.history = []
    cursor.pages = [0]
    return 'accepted'
  }

  if (input === navigation.back) {
    if (!canGoBack(cursor, screen)) return reject()
    if (cursor.pages.length > 1) {
      cursor.pages.pop()
      return 'accepted'
    }
    cursor.jump(cursor.history.pop())
    cursor.pages = [0]
    return 'accepted'
  }

  let value: unknown
  if (options.length > 0) {
    const start = cursor.pages.at(-1) ?? 0
    if (input === navigation.more && start + cursor.shown < options.length) {
      cursor.pages.push(start + cursor.shown)
      return 'accepted'
    }

    const index = /^\d{1,3}$/.test(input) ? Number(input) - 1 : -1
    if (index < start || index >= start + cursor.shown) return reject()
    value = options[index]?.value
  } else if (screen.input !== undefined) {
    const check = checkAnswer(screen.input, input, settings.messages, settings.defaultCountryCode)
    if (!check.ok) {
      cursor.error = check.error
      return 'rejected'
    }
    value = check.value
  } else {
    return reject()
  }

  const before = cursor.snapshot.value
  if (!cursor.send({ type: 'ANSWER', value })) return reject()

  cursor.history.push(before)
  if (cursor.history.length > maxHistory) cursor.history.shift()
  cursor.pages = [0]
  return 'accepted'
}
