import type { AnyStateMachine } from 'xstate'
import type { Logger } from 'pino'

/** Text in one language, or keyed by language code (`{ en: 'Welcome', sw: 'Karibu' }`). */
export type LocalizedText = string | Readonly<Record<string, string>>

export interface OptionSpec {
  /** Stable id sent in the `ANSWER` event, so guards never depend on the position. */
  readonly id: string
  readonly label: LocalizedText
}

/** An option list built at run time from an array in the context. */
export interface ListSpec {
  /** Context path of the array. */
  readonly from: string
  /** Template for each line, rendered with the item's fields (`{{name}}`). */
  readonly label: string
}

export type InputType = 'text' | 'number' | 'phone' | 'pin'

export interface InputSpec {
  readonly type: InputType
  /** Smallest accepted value for `number`, shortest length for `text` and `pin`. */
  readonly min?: number
  /** Largest accepted value for `number`, longest length for `text` and `pin`. */
  readonly max?: number
  /** Regular expression the whole (trimmed) answer must match. */
  readonly pattern?: string
  /** Line shown above the prompt when the answer is rejected. */
  readonly error?: LocalizedText
  /** Kept out of logs and traces (PINs, secrets). */
  readonly sensitive?: boolean
}

/** How a free-text answer is collected on a call, where a caller cannot type letters. */
export type VoiceFreeText = 'record' | 'sms'

/** The voice rendering of a screen, where it differs from the text channels. */
export interface VoiceSpec {
  /** Spoken in place of the screen's prompt. */
  readonly prompt?: LocalizedText
  /**
   * Recorded prompt per language (`{ sw: 'https://...' }`), played in place of the spoken prompt
   * and option list, so the recording must read the options too.
   */
  readonly audio?: Readonly<Record<string, string>>
  /** Required on `text` inputs of flows routed for voice. */
  readonly freeText?: VoiceFreeText
}

/** The prompt and accepted input of a state that waits for the subscriber. */
export interface ScreenSpec {
  readonly prompt: LocalizedText
  readonly options?: readonly OptionSpec[]
  readonly list?: ListSpec
  readonly input?: InputSpec
  /** A decision that must be made live: a shortcut dial stops its replay here. */
  readonly confirm?: boolean
  /** False on screens that must not go back (after a payment, for example). */
  readonly back?: boolean
  readonly voice?: VoiceSpec
}

/** A backend call the engine runs on entering the state, within the hop's time budget. */
export interface TaskSpec {
  readonly name: string
}

/** The closing text of a final state. */
export interface EndSpec {
  readonly text: LocalizedText
}

/** The `meta` of a flow state, as the engine reads it. */
export interface StateMeta {
  readonly screen?: ScreenSpec
  readonly task?: TaskSpec
  readonly end?: EndSpec
  /** SMS sent when the session drops while this screen waits, in place of the flow's. */
  readonly onDrop?: LocalizedText
  /** Name of the activity on this screen ("registration"), for the offer to continue it. */
  readonly activity?: LocalizedText
}

export interface TaskArguments {
  readonly context: Readonly<Record<string, unknown>>
  readonly msisdn: string
  /** Same for every attempt at this step of this session, so a backend can deduplicate. */
  readonly idempotencyKey: string
  readonly signal: AbortSignal
  readonly logger: Logger
}

export type Task = (args: TaskArguments) => Promise<unknown>

export interface NavigationKeys {
  readonly back: string
  readonly home: string
  readonly more: string
}

/** Moves a stored session from an older flow version to this one. */
export interface FlowMigration {
  readonly fromVersion: number
  readonly migrate: (state: PersistedState) => PersistedState
}

export interface PersistedState {
  readonly value: unknown
  readonly context: Record<string, unknown>
}

/** A loaded flow: an XState machine whose states carry `StateMeta`, plus what it needs to run. */
export interface Flow {
  readonly id: string
  /** Raised by the author when a change would break sessions that are in progress. */
  readonly version: number
  /** Hash of the flow's source, so any edit is visible in logs and stored sessions. */
  readonly revision: string
  readonly machine: AnyStateMachine
  readonly languages: readonly string[]
  readonly defaultLanguage: string
  /** State value that the home key returns to. */
  readonly home: unknown
  /** State the flow starts in when the caller has not chosen a language yet. */
  readonly languageState?: string
  readonly navigation: NavigationKeys
  readonly tasks: Readonly<Record<string, Task>>
  readonly migrations: readonly FlowMigration[]
  /** File or module the flow came from, for error messages. */
  readonly source: string
  /** Example context values for rendering every screen when the flow is checked. */
  readonly sample?: Readonly<Record<string, unknown>>
  /** Name of the flow's purpose ("appointment booking"), for drop SMS and the offer to continue. */
  readonly title?: LocalizedText
  /** SMS sent when a session drops mid-flow; the engine's default when absent. */
  readonly onDrop?: LocalizedText
  /** Seconds after a drop during which a new session offers to continue; 0 never offers. */
  readonly resumeWindowSeconds: number
  /** Context keys that hold sensitive answers (PINs); they are never saved in the store. */
  readonly sensitiveKeys: readonly string[]
}

/** Ten minutes: long enough to redial after a dropped call, short enough to forget a PIN step. */
export const defaultResumeWindowSeconds = 600

export const defaultNavigation: NavigationKeys = { back: '0', home: '00', more: '98' }
