import { confirmationChoices, type Choice } from '../messaging/inbound/match-answer.ts'
import { normalizeMatchText } from '../messaging/inbound/match-text.ts'
import { countSegments } from '../messaging/segments.ts'
import { readPath } from '../text/template.ts'
import { checkAnswer } from './check-answer.ts'
import { FlowError, type FlowCursor } from './flow-cursor.ts'
import type { InputType, ScreenSpec } from './flow.ts'
import { localize } from './localize.ts'
import type { EngineMessages } from './messages.ts'
import type { SmsEngineMessages } from './sms-messages.ts'
import { screenOptions } from './ussd-screen.ts'

export interface SmsScreenSettings {
  readonly messages: EngineMessages
  readonly smsMessages: SmsEngineMessages
  /** Segments one screen may use; a longer option list is split into pages. */
  readonly maxSegments: number
  readonly defaultCountryCode: string
}

/** A screen or closing text rendered as one SMS, with the replies it accepts. */
export interface RenderedSms {
  readonly end: boolean
  /** Empty for a final state without an `end` text. */
  readonly text: string
  /** Replies that pick something: options, "more", and CANCEL. */
  readonly choices: readonly Choice[]
  /** Set for a screen that takes typed input, whatever matches no choice. */
  readonly input?: InputType
}

/** A reply applied to the screen a session waits on. */
export type SmsAnswer =
  | { readonly kind: 'choice'; readonly id: string }
  | { readonly kind: 'text'; readonly text: string }

export type SmsAnswerOutcome = 'accepted' | 'rejected' | 'cancel'

/** Id of the choice that cancels the waiting flow (CANCEL; NO on a one-option confirmation). */
export const cancelChoiceId = 'cancel'
const moreChoiceId = 'more'
const optionPrefix = 'option:'
const itemPrefix = 'item:'
// The back key returns through at most this many screens, as on USSD.
const maxHistory = 20

/**
 * Renders the cursor's state as SMS text: the error line, the prompt, then "Reply 1 for Book, 2
 * for Ask a nurse." Options are numbered across pages as on USSD, and a page contains as many as fit
 * in `maxSegments` segments, with "Reply 98 for more." when more follow. Records on the cursor
 * how many options the page showed.
 */
export function renderSms(cursor: FlowCursor, settings: SmsScreenSettings): RenderedSms {
  const meta = cursor.meta()
  if (cursor.done) {
    const text = meta.end === undefined ? '' : cursor.text(meta.end.text)
    return { end: true, text, choices: [] }
  }

  const screen = meta.screen
  if (screen === undefined) {
    throw new FlowError(
      `Flow "${cursor.flow.id}" state ${JSON.stringify(cursor.snapshot.value)} has no screen, task or end.`,
    )
  }

  const head = [cursor.error === undefined ? undefined : cursor.text(cursor.error)]
  head.push(cursor.text(screen.prompt))
  const lines = head.filter((line): line is string => line !== undefined && line !== '')
  const labels = screenOptions(cursor, screen).map((option) => option.label)

  if (labels.length === 0) {
    cursor.shown = 0
    const choices = withCancel(screen, [])
    return { end: false, text: lines.join('\n'), choices, input: screen.input?.type }
  }

  const page = layOutPage(cursor, lines, labels, settings)
  cursor.shown = page.shown
  return { end: false, text: page.text, choices: screenChoices(cursor, screen, page) }
}

/**
 * Applies a reply to the screen the cursor waits on: a choice (picked by `matchAnswer` from the
 * rendered `choices`) or typed text, checked as on USSD. A rejected reply leaves the cursor on
 * the same screen with its error set; `cancel` changes nothing, the caller ends the session.
 */
export function applySmsAnswer(
  cursor: FlowCursor,
  answer: SmsAnswer,
  settings: SmsScreenSettings,
): SmsAnswerOutcome {
  const screen = cursor.meta().screen
  if (screen === undefined) {
    throw new FlowError(
      `Flow "${cursor.flow.id}" state ${JSON.stringify(cursor.snapshot.value)} waits for a reply without a screen.`,
    )
  }
  cursor.error = undefined

  if (answer.kind === 'choice' && answer.id === cancelChoiceId) return 'cancel'
  if (answer.kind === 'choice' && answer.id === moreChoiceId) {
    cursor.pages.push((cursor.pages.at(-1) ?? 0) + cursor.shown)
    return 'accepted'
  }

  const value = answerValue(cursor, screen, answer, settings)
  if (value === undefined) return 'rejected'

  const before = cursor.snapshot.value
  if (!cursor.send({ type: 'ANSWER', value: value.value })) {
    cursor.error = settings.messages.invalidChoice
    return 'rejected'
  }
  cursor.history.push(before)
  if (cursor.history.length > maxHistory) cursor.history.shift()
  cursor.pages = [0]
  return 'accepted'
}

function answerValue(
  cursor: FlowCursor,
  screen: ScreenSpec,
  answer: SmsAnswer,
  settings: SmsScreenSettings,
): { value: unknown } | undefined {
  if (answer.kind === 'choice') {
    if (answer.id.startsWith(optionPrefix)) return { value: answer.id.slice(optionPrefix.length) }

    const index = Number(answer.id.slice(itemPrefix.length))
    const items = screen.list === undefined ? undefined : readPath(cursor.context, screen.list.from)
    if (answer.id.startsWith(itemPrefix) && Array.isArray(items) && index < items.length) {
      return { value: items[index] }
    }
    cursor.error = settings.messages.invalidChoice
    return undefined
  }

  if (screen.input === undefined) {
    cursor.error = settings.messages.invalidChoice
    return undefined
  }
  // Numbers, phone numbers and PINs are read with digits of other scripts folded, as on USSD;
  // free text is kept as the person wrote it.
  const typed = screen.input.type === 'text' ? answer.text : normalizeMatchText(answer.text)
  const check = checkAnswer(screen.input, typed, settings.messages, settings.defaultCountryCode)
  if (!check.ok) {
    cursor.error = check.error
    return undefined
  }
  return { value: check.value }
}

interface Page {
  readonly text: string
  readonly start: number
  readonly shown: number
  readonly hasMore: boolean
}

/** Fits as many options from the current page's start as `maxSegments` allows, at least one. */
function layOutPage(
  cursor: FlowCursor,
  head: readonly string[],
  labels: readonly string[],
  settings: SmsScreenSettings,
): Page {
  const start = Math.min(cursor.pages.at(-1) ?? 0, labels.length - 1)
  const messages = settings.smsMessages
  const compose = (count: number) => {
    const hasMore = start + count < labels.length
    const choices = labels
      .slice(start, start + count)
      .map((label, offset) =>
        cursor.text(messages.choice, { number: start + offset + 1, label: label.trim() }),
      )
    const lines = [...head, cursor.text(messages.choices, { choices: choices.join(', ') })]
    if (hasMore) lines.push(cursor.text(messages.more, { key: cursor.flow.navigation.more }))
    return { text: lines.join('\n'), start, shown: count, hasMore }
  }

  let page = compose(1)
  for (let count = 2; start + count <= labels.length; count += 1) {
    const candidate = compose(count)
    if (countSegments(candidate.text).segments > settings.maxSegments) break
    page = candidate
  }
  return page
}

/**
 * Lists the replies a page accepts: every option shown so far (earlier pages stay valid, because
 * the person has them in an earlier SMS), "more" while options remain, and CANCEL.
 */
function screenChoices(cursor: FlowCursor, screen: ScreenSpec, page: Page): Choice[] {
  const choices: Choice[] = []
  const last = page.start + page.shown

  if (screen.options !== undefined) {
    screen.options.slice(0, last).forEach((option, index) => {
      const words = cursor.flow.languages.map((language) =>
        localize(option.label, language, cursor.flow.defaultLanguage),
      )
      if (!/^\d+$/.test(option.id)) words.push(option.id)
      choices.push({ id: optionPrefix + option.id, number: index + 1, words: unique(words) })
    })
  } else {
    screenOptions(cursor, screen)
      .slice(0, last)
      .forEach((option, index) =>
        choices.push({ id: `${itemPrefix}${index}`, number: index + 1, words: [option.label] }),
      )
  }

  if (page.hasMore) choices.push({ id: moreChoiceId, number: Number(cursor.flow.navigation.more) })
  addConfirmationWords(screen, choices)
  return withCancel(screen, choices)
}

/**
 * On a `confirm: true` screen, YES (and its Swahili forms) also picks the first option, unless an
 * option already uses one of those words.
 */
function addConfirmationWords(screen: ScreenSpec, choices: Choice[]): void {
  const first = choices[0]
  if (screen.confirm !== true || first === undefined) return

  const yes = wordsOf('yes')
  if (usesAny(choices, yes)) return
  choices[0] = { ...first, words: [...(first.words ?? []), ...yes] }
}

/**
 * Adds the choice that ends the waiting flow: CANCEL on every screen, and NO on a `confirm: true`
 * screen. A word an option already uses stays with the option ("Cancel" the appointment).
 */
function withCancel(screen: ScreenSpec, choices: readonly Choice[]): Choice[] {
  const candidates = [...wordsOf('cancel'), ...(screen.confirm === true ? wordsOf('no') : [])]
  const words = candidates.filter((word) => !usesAny(choices, [word]))
  if (words.length === 0) return [...choices]
  return [...choices, { id: cancelChoiceId, words }]
}

function wordsOf(id: string): readonly string[] {
  return confirmationChoices.find((choice) => choice.id === id)?.words ?? []
}

function usesAny(choices: readonly Choice[], words: readonly string[]): boolean {
  const wanted = new Set(words.map((word) => word.toUpperCase()))
  return choices.some((choice) => (choice.words ?? []).some((w) => wanted.has(w.toUpperCase())))
}

function unique(words: readonly string[]): string[] {
  return [...new Set(words.map((word) => word.trim()).filter((word) => word !== ''))]
}
