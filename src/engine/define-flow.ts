import { createHash } from 'node:crypto'
import type { AnyStateMachine } from 'xstate'
import {
  defaultNavigation,
  defaultResumeWindowSeconds,
  type Flow,
  type FlowMigration,
  type LocalizedText,
  type NavigationKeys,
  type Task,
} from './flow.ts'

export interface FlowDefinition {
  readonly id: string
  readonly version?: number
  /** States carry `meta.screen`, `meta.task` or `meta.end`; answers arrive as `ANSWER` events. */
  readonly machine: AnyStateMachine
  readonly languages?: readonly string[]
  readonly defaultLanguage?: string
  readonly home?: unknown
  readonly chooseLanguage?: string
  readonly navigation?: Partial<NavigationKeys>
  readonly tasks?: Readonly<Record<string, Task>>
  readonly migrations?: readonly FlowMigration[]
  readonly source?: string
  readonly title?: LocalizedText
  readonly onDrop?: LocalizedText
  /** Seconds after a drop during which redialling offers to continue; default ten minutes. */
  readonly resumeWindowSeconds?: number
  /** Context keys of sensitive answers (PINs), kept out of the store. */
  readonly sensitiveKeys?: readonly string[]
  /** Example context values for rendering every screen when the flow is checked. */
  readonly sample?: Readonly<Record<string, unknown>>
}

/** Wraps a TypeScript XState machine as a flow the engine can run. */
export function defineFlow(definition: FlowDefinition): Flow {
  const languages = definition.languages ?? ['en']
  const config = JSON.stringify(definition.machine.config)

  return {
    id: definition.id,
    version: definition.version ?? 1,
    revision: createHash('sha256').update(config).digest('hex').slice(0, 12),
    machine: definition.machine,
    languages,
    defaultLanguage: definition.defaultLanguage ?? languages[0] ?? 'en',
    home: definition.home ?? definition.machine.config.initial,
    languageState: definition.chooseLanguage,
    navigation: { ...defaultNavigation, ...definition.navigation },
    tasks: definition.tasks ?? {},
    migrations: definition.migrations ?? [],
    source: definition.source ?? `flow "${definition.id}"`,
    title: definition.title,
    onDrop: definition.onDrop,
    resumeWindowSeconds: definition.resumeWindowSeconds ?? defaultResumeWindowSeconds,
    sensitiveKeys: definition.sensitiveKeys ?? [],
    sample: definition.sample,
  }
}

/** Parameters of the `sms` action: the text, templated with the context, and the recipient. */
export interface SmsParams {
  readonly text: LocalizedText
  /** E.164 number or `{{path}}` template; the subscriber when absent. */
  readonly to?: string
}

/**
 * The `sms` action for `setup({ actions: { sms: smsAction } })`. It does nothing when run: the
 * engine collects `sms` actions from each transition and sends them after the session is saved.
 */
export function smsAction(_args: unknown, _params: SmsParams): void {}

/** An `sms` action object for machines written without `setup`. */
export function sms(text: LocalizedText, to?: string) {
  const params: SmsParams = to === undefined ? { text } : { text, to }
  return { type: 'sms', params } as const
}
