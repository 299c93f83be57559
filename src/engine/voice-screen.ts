import { checkAnswer } from './check-answer.ts'
import { FlowError, type FlowCursor } from './flow-cursor.ts'
import type { LocalizedText, ScreenSpec } from './flow.ts'
import type { EngineMessages } from './messages.ts'
import { screenOptions } from './ussd-screen.ts'
import type { VoiceMessages } from './voice-messages.ts'
import type { VoiceAction, VoicePrompt } from './voice-reply.ts'

/** Keys with a fixed meaning on every spoken menu. */
export interface VoiceKeys {
  readonly more: string
  readonly back: string
  readonly repeat: string
}

export interface VoiceScreenSettings {
  readonly messages: EngineMessages
  readonly voiceMessages: VoiceMessages
  readonly defaultCountryCode: string
  readonly keys: VoiceKeys
  readonly digitsTimeoutSeconds: number
  readonly recordMaxSeconds: number
}

/** The key that ends typed input and recordings. */
export const finishKey = '#'

// The back key returns through at most this many screens, as on USSD.
const maxHistory = 20
const phoneKeys = ['1', '2', '3', '4', '5', '6', '7', '8', '9']

/** The options read out on one page of a spoken menu, each with the key that picks it. */
export interface VoicePage {
  /** Keys of the options on this page, in order; the first is for the option at `start`. */
  readonly keys: readonly string[]
  readonly start: number
  readonly hasMore: boolean
}

/**
 * Lays out the page of a spoken menu that begins at option `start`. A menu that fits on the keys
 * 1 to 9 (less the back and repeat keys) is read in one go. A longer one is read in pages that
 * leave the "more" key free, and each page numbers its options from 1 again, so one key press
 * always picks.
 */
export function voicePage(optionCount: number, start: number, keys: VoiceKeys): VoicePage {
  const reserved = new Set([keys.back, keys.repeat])
  const single = phoneKeys.filter((key) => !reserved.has(key))
  if (start === 0 && optionCount <= single.length) {
    return { keys: single.slice(0, optionCount), start, hasMore: false }
  }

  reserved.add(keys.more)
  const paged = phoneKeys.filter((key) => !reserved.has(key))
  const shown = Math.min(paged.length, optionCount - start)
  return { keys: paged.slice(0, shown), start, hasMore: start + shown < optionCount }
}

/** True when the screen takes a recording rather than key presses. */
export function isRecordScreen(screen: ScreenSpec): boolean {
  return screen.input?.type === 'text' && screen.voice?.freeText === 'record'
}

function canGoBack(cursor: FlowCursor, screen: ScreenSpec): boolean {
  return screen.back !== false && (cursor.history.length > 0 || cursor.pages.length > 1)
}

function waitingScreen(cursor: FlowCursor): ScreenSpec {
  const screen = cursor.meta().screen
  if (screen === undefined) {
    throw new FlowError(
      `Flow "${cursor.flow.id}" state ${JSON.stringify(cursor.snapshot.value)} has no screen, task or end.`,
    )
  }
  return screen
}

/** Joins lines of flow text into sentences a text-to-speech voice pauses between. */
export function asSpeech(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => (/[.!?:;,]$/.test(line) ? line : `${line}.`))
    .join(' ')
}

/** Joins an option label into one phrase, without the full stop that "Press 1 for" adds. */
function asLabel(label: string): string {
  return label
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(/\.+$/, '')
}

/** Reads a key the way the caller sees it on the pad (`*` as "star"). */
function spokenKey(cursor: FlowCursor, key: string, settings: VoiceScreenSettings): string {
  return key === '*' ? cursor.text(settings.voiceMessages.starKey) : key
}

function sentence(
  cursor: FlowCursor,
  text: LocalizedText,
  values: Record<string, string>,
  settings: VoiceScreenSettings,
): string {
  const key = values['key'] === undefined ? undefined : spokenKey(cursor, values['key'], settings)
  return cursor.text(text, key === undefined ? values : { ...values, key })
}

/** Returns the spoken prompt of a screen, or its recording in the caller's language if any. */
function promptOf(cursor: FlowCursor, screen: ScreenSpec, spoken: string[]): VoicePrompt {
  const audio = screen.voice?.audio?.[cursor.language]
  if (audio !== undefined) return { kind: 'play', url: audio }
  return { kind: 'say', text: spoken.filter((part) => part !== '').join(' ') }
}

/** Returns the prompt of a screen as the flow wrote it for voice, or else its USSD prompt. */
export function promptText(cursor: FlowCursor, screen: ScreenSpec): string {
  return asSpeech(cursor.text(screen.voice?.prompt ?? screen.prompt))
}

/**
 * Renders the screen the cursor waits on as a call script: an optional notice (an error, or
 * "we did not get your choice"), then the input step, then a fallback that speaks the no-input
 * notice and redirects back with the same step, because a call with nothing after a timed-out
 * input hangs up. Records on the cursor which page of options was read.
 */
export function renderVoiceScreen(
  cursor: FlowCursor,
  settings: VoiceScreenSettings,
  step: number,
  notice: string | undefined,
): VoiceAction[] {
  const screen = waitingScreen(cursor)
  const actions: VoiceAction[] = notice === undefined ? [] : [{ kind: 'say', text: notice }]
  const messages = settings.voiceMessages
  const prompt = promptText(cursor, screen)

  if (isRecordScreen(screen)) {
    cursor.shown = 0
    const spoken = [prompt, cursor.text(messages.recordAfterBeep)]
    actions.push({
      kind: 'record',
      prompt: promptOf(cursor, screen, spoken),
      finishOnKey: finishKey,
      maxLengthSeconds: settings.recordMaxSeconds,
      step,
    })
    return withFallback(actions, cursor.text(messages.noAnswer), step)
  }

  const options = screenOptions(cursor, screen)
  if (options.length === 0) {
    cursor.shown = 0
    const spoken = [prompt, cursor.text(messages.finishWithHash)]
    actions.push({
      kind: 'getDigits',
      prompt: promptOf(cursor, screen, spoken),
      finishOnKey: finishKey,
      timeoutSeconds: settings.digitsTimeoutSeconds,
      step,
    })
    return withFallback(actions, cursor.text(messages.noAnswer), step)
  }

  const keys = settings.keys
  const page = voicePage(options.length, cursor.pages.at(-1) ?? 0, keys)
  cursor.shown = page.keys.length
  const spoken = [prompt]
  page.keys.forEach((key, index) => {
    const label = asLabel(options[page.start + index]?.label ?? '')
    spoken.push(sentence(cursor, messages.pressFor, { key, label }, settings))
  })
  if (page.hasMore)
    spoken.push(sentence(cursor, messages.pressForMore, { key: keys.more }, settings))
  if (canGoBack(cursor, screen))
    spoken.push(sentence(cursor, messages.pressForBack, { key: keys.back }, settings))
  spoken.push(sentence(cursor, messages.pressToRepeat, { key: keys.repeat }, settings))

  const offered = [...page.keys, page.hasMore ? keys.more : '', keys.back]
  actions.push({
    kind: 'getDigits',
    prompt: promptOf(cursor, screen, spoken),
    numDigits: Math.max(...offered.map((key) => key.length)),
    finishOnKey: finishKey,
    timeoutSeconds: settings.digitsTimeoutSeconds,
    step,
  })
  return withFallback(actions, cursor.text(messages.noChoice), step)
}

function withFallback(actions: VoiceAction[], fallback: string, step: number): VoiceAction[] {
  actions.push({ kind: 'say', text: fallback }, { kind: 'redirect', step })
  return actions
}

/** Lists the options read on the current page as `key. label` lines, for the SMS summary. */
export function pageOptionLines(cursor: FlowCursor, settings: VoiceScreenSettings): string[] {
  const screen = waitingScreen(cursor)
  const options = screenOptions(cursor, screen)
  if (options.length === 0) return []

  const page = voicePage(options.length, cursor.pages.at(-1) ?? 0, settings.keys)
  return page.keys.map((key, index) => `${key}. ${options[page.start + index]?.label ?? ''}`)
}

export type VoiceInputOutcome = 'accepted' | 'rejected'

/**
 * Applies the keys a caller pressed (already without the finish key) to the screen the cursor
 * waits on: the back and "more" keys, then the options read on this page, or the typed-input
 * check. A rejected input leaves the cursor on the same screen with `cursor.error` set.
 */
export function applyVoiceDigits(
  cursor: FlowCursor,
  digits: string,
  settings: VoiceScreenSettings,
): VoiceInputOutcome {
  const screen = waitingScreen(cursor)
  cursor.error = undefined
  const options = screenOptions(cursor, screen)
  const reject = (error: LocalizedText = settings.messages.invalidChoice): VoiceInputOutcome => {
    cursor.error = error
    return 'rejected'
  }

  if (options.length === 0) {
    if (screen.input === undefined) return reject()
    const check = checkAnswer(screen.input, digits, settings.messages, settings.defaultCountryCode)
    if (!check.ok) return reject(check.error)
    return acceptAnswer(cursor, check.value) ? 'accepted' : reject()
  }

  const keys = settings.keys
  const page = voicePage(options.length, cursor.pages.at(-1) ?? 0, keys)
  if (digits === keys.back) {
    if (!canGoBack(cursor, screen)) return reject()
    if (cursor.pages.length > 1) cursor.pages.pop()
    else {
      cursor.jump(cursor.history.pop())
      cursor.pages = [0]
    }
    return 'accepted'
  }
  if (digits === keys.more && page.hasMore) {
    cursor.pages.push(page.start + page.keys.length)
    return 'accepted'
  }

  const index = page.keys.indexOf(digits)
  if (index === -1) return reject()
  const option = options[page.start + index]
  return acceptAnswer(cursor, option?.value) ? 'accepted' : reject()
}

/** Sends `value` in an ANSWER event and returns false when the current state rejects it. */
export function acceptAnswer(cursor: FlowCursor, value: unknown): boolean {
  const before = cursor.snapshot.value
  if (!cursor.send({ type: 'ANSWER', value })) return false

  cursor.history.push(before)
  if (cursor.history.length > maxHistory) cursor.history.shift()
  cursor.pages = [0]
  return true
}
