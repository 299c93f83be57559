import { assign, createMachine, type AnyStateMachine } from 'xstate'
import { readPath } from '../text/template.ts'
import { defaultNavigation, type Flow, type StateMeta, type Task } from '../engine/flow.ts'
import { FlowFileError } from './flow-file-error.ts'
import type { FlowFile, FlowFileState } from './flow-schema.ts'

type Transition = Record<string, unknown>

/** Builds the XState machine and the `Flow` for a validated flow file. */
export function compileFlow(
  file: FlowFile,
  source: string,
  revision: string,
  tasks: Readonly<Record<string, Task>>,
): Flow {
  checkReferences(file, source, tasks)

  const states: Record<string, unknown> = {}
  for (const [name, state] of Object.entries(file.states)) {
    states[name] = compileState(name, state)
  }

  const defaults = file.context ?? {}
  const machine: AnyStateMachine = createMachine({
    id: file.id,
    initial: file.start,
    context: ({ input }: { input?: { msisdn?: string; language?: string } }) => ({
      ...structuredClone(defaults),
      msisdn: input?.msisdn,
      language: input?.language ?? file.defaultLanguage ?? file.languages[0],
    }),
    states: states as never,
  })

  return {
    id: file.id,
    version: file.version,
    revision,
    machine,
    languages: file.languages,
    defaultLanguage: file.defaultLanguage ?? file.languages[0] ?? 'en',
    home: file.home ?? file.start,
    languageState: file.chooseLanguage,
    navigation: { ...defaultNavigation, ...file.navigation },
    tasks,
    migrations: [],
    source,
    sample: file.sample,
    title: file.title,
    onDrop: file.onDrop,
    resumeWindowSeconds: file.resumeMinutes * 60,
    sensitiveKeys: Object.values(file.states)
      .filter((state) => state.input?.sensitive === true && state.save !== undefined)
      .map((state) => state.save as string),
  }
}

function compileState(name: string, state: FlowFileState): Record<string, unknown> {
  const entry = state.sms === undefined ? [] : [{ type: 'sms', params: { text: state.sms } }]

  if (state.end !== undefined) {
    const meta: StateMeta = { end: { text: state.end } }
    return { type: 'final', meta, entry }
  }

  if (state.task !== undefined) {
    const meta: StateMeta = { task: { name: state.task } }
    const done = { target: state.next, actions: saveEventField(state.save, 'output') }
    const failed =
      state.onError === undefined ? undefined : { target: state.onError, actions: saveTaskError() }
    return { meta, entry, on: { 'TASK.DONE': done, ...(failed ? { 'TASK.ERROR': failed } : {}) } }
  }

  if (state.branch !== undefined) {
    const always = state.branch.map((condition) => ({
      target: condition.next,
      guard: condition.when === undefined ? undefined : isPresent(condition.when),
    }))
    return { entry, always }
  }

  const meta: StateMeta = {
    onDrop: state.onDrop,
    activity: state.activity,
    screen: {
      prompt: state.prompt ?? '',
      options: state.options?.map((option, index) => ({
        id: option.id ?? String(index + 1),
        label: option.label,
      })),
      list: state.list,
      input: state.input,
      confirm: state.confirm,
      back: state.back,
      voice: state.voice,
    },
  }
  const after =
    state.after === undefined
      ? undefined
      : { [state.after.seconds * 1000]: { target: state.after.next } }
  return { meta, entry, after, on: { ANSWER: answerTransitions(name, state) } }
}

function answerTransitions(name: string, state: FlowFileState): Transition | Transition[] {
  if (state.options === undefined) {
    return { target: state.next, actions: saveEventField(state.save, 'value') }
  }

  return state.options.map((option, index) => {
    const id = option.id ?? String(index + 1)
    const values: Record<string, unknown> = { ...option.set }
    if (option.setLanguage !== undefined) {
      values['language'] = option.setLanguage
      values['languageChosen'] = true
    }
    if (state.save !== undefined) values[state.save] = id

    return {
      target: option.next,
      guard: ({ event }: { event: { value?: unknown } }) => event.value === id,
      actions: Object.keys(values).length > 0 ? assign(() => structuredClone(values)) : undefined,
      meta: { from: name },
    }
  })
}

function saveEventField(key: string | undefined, field: 'value' | 'output') {
  if (key === undefined) return undefined
  return assign(({ event }: { event: Record<string, unknown> }) => ({ [key]: event[field] }))
}

function saveTaskError() {
  return assign(({ event }: { event: Record<string, unknown> }) => ({ taskError: event['reason'] }))
}

function isPresent(path: string) {
  return ({ context }: { context: unknown }) => {
    const value = readPath(context, path)
    if (Array.isArray(value)) return value.length > 0
    return Boolean(value)
  }
}

/** Checks that every state a flow names exists and every task it names is provided. */
function checkReferences(
  file: FlowFile,
  source: string,
  tasks: Readonly<Record<string, Task>>,
): void {
  const names = Object.keys(file.states)
  const known = new Set(names)
  const fail = (path: string, message: string) => {
    throw new FlowFileError(source, path, message)
  }
  const checkTarget = (path: string, target: string | undefined) => {
    if (target === undefined || known.has(target)) return
    fail(
      path,
      `leads to "${target}", which is not a state of this flow. Use one of: ${names.join(', ')}.`,
    )
  }

  checkTarget('start', file.start)
  checkTarget('home', file.home)
  checkTarget('chooseLanguage', file.chooseLanguage)

  for (const [name, state] of Object.entries(file.states)) {
    const at = `states.${name}`
    checkTarget(`${at}.next`, state.next)
    checkTarget(`${at}.onError`, state.onError)
    checkTarget(`${at}.after.next`, state.after?.next)
    state.options?.forEach((option, index) =>
      checkTarget(`${at}.options[${index}].next`, option.next),
    )
    state.branch?.forEach((condition, index) =>
      checkTarget(`${at}.branch[${index}].next`, condition.next),
    )

    if (state.task !== undefined && tasks[state.task] === undefined) {
      const provided = Object.keys(tasks)
      fail(
        `${at}.task`,
        `names task "${state.task}", which the flow's tasks file does not export. ` +
          (provided.length > 0
            ? `Tasks provided: ${provided.join(', ')}.`
            : 'No tasks file was found.'),
      )
    }

    const last = state.branch?.at(-1)
    if (last !== undefined && last.when !== undefined) {
      fail(`${at}.branch`, 'needs a last entry without "when", so some branch is always taken.')
    }

    const labels = state.options?.map((option) => option.label) ?? []
    const texts = [state.prompt, state.end, state.sms, state.input?.error, state.voice?.prompt]
    for (const text of [...texts, ...labels]) {
      if (text === undefined || typeof text === 'string') continue
      const missing = file.languages.filter((language) => text[language] === undefined)
      if (missing.length > 0)
        fail(at, `has no ${missing.join(', ')} text for ${JSON.stringify(text)}. Add it.`)
    }

    const audioLanguages = Object.keys(state.voice?.audio ?? {})
    const unknown = audioLanguages.filter((language) => !file.languages.includes(language))
    if (unknown.length > 0) {
      fail(
        `${at}.voice.audio`,
        `has audio for ${unknown.join(', ')}, which the flow does not list in languages (${file.languages.join(', ')}). Remove it or add the language.`,
      )
    }
  }
}
