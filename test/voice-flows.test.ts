import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMachine } from 'xstate'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { defineFlow } from '../src/engine/define-flow.ts'
import { checkVoiceFlow } from '../src/flows/check-voice-flow.ts'
import { FlowFileError } from '../src/flows/flow-file-error.ts'
import { loadFlows } from '../src/flows/load-flows.ts'

/** A small flow file with one state whose YAML the case supplies. */
function flowWith(state: string): string {
  return [
    'id: survey',
    'languages: [en, sw]',
    'start: ask',
    'states:',
    '  ask:',
    ...state.split('\n').map((line) => `    ${line}`),
    '  thanks:',
    '    end: Thank you',
  ].join('\n')
}

const textInput = 'prompt: Your comment\ninput: { type: text }\nsave: comment\nnext: thanks'

describe('voice flow loading', () => {
  let directory: string

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-voice-flows-'))
  })

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  async function load(flow: string, routes: string) {
    await writeFile(join(directory, 'survey.flow.yaml'), flow)
    await writeFile(join(directory, 'routes.yaml'), routes)
    return loadFlows(directory)
  }

  async function loadError(flow: string, routes: string): Promise<FlowFileError> {
    const error = await load(flow, routes).then(
      () => undefined,
      (raised: unknown) => raised,
    )
    expect(error).toBeInstanceOf(FlowFileError)
    return error as FlowFileError
  }

  it('rejects a text input on a voice route', async () => {
    const error = await loadError(flowWith(textInput), "voice:\n  '+254711000001': survey\n")

    expect(error.path).toBe('states.ask')
    expect(error.message).toContain('flow "survey" is routed for voice on +254711000001')
    expect(error.message).toContain('voice: { freeText: record }')
    expect(error.message).toContain('voice: { freeText: sms }')
  })

  it('loads the same flow on USSD alone', async () => {
    const { registry } = await load(flowWith(textInput), "ussd:\n  '*384*9#': survey\n")

    expect(registry.get('survey')?.id).toBe('survey')
    expect(registry.voiceNumbers().size).toBe(0)
  })

  it.each(['record', 'sms'])('loads a text input with freeText %s', async (freeText) => {
    const state = `${textInput}\nvoice: { freeText: ${freeText} }`
    const { registry } = await load(flowWith(state), "voice:\n  '+254 711-000 001': survey\n")

    expect(registry.forVoiceNumber('+254711000001')?.id).toBe('survey')
    expect(registry.voiceNumbers()).toEqual(new Map([['+254711000001', 'survey']]))
  })

  const invalid = [
    {
      label: 'freeText on a number input',
      state: 'prompt: Age\ninput: { type: number }\nvoice: { freeText: record }\nnext: thanks',
      routes: '',
      path: 'states.ask.voice.freeText',
      says: 'applies only to input of type text',
    },
    {
      label: 'voice on an end state',
      state: 'end: Bye\nvoice: { prompt: Bye }',
      routes: '',
      path: 'states.ask.voice',
      says: 'not to a state with end',
    },
    {
      label: 'audio over plain HTTP',
      state: `${textInput}\nvoice: { freeText: sms, audio: { en: 'http://example.org/a.mp3' } }`,
      routes: '',
      path: 'states.ask.voice.audio.en',
      says: 'https URL',
    },
    {
      label: 'audio in a language the flow lacks',
      state: `${textInput}\nvoice: { freeText: sms, audio: { fr: 'https://example.org/a.mp3' } }`,
      routes: '',
      path: 'states.ask.voice.audio',
      says: 'has audio for fr',
    },
    {
      label: 'a voice prompt missing a language',
      state: `${textInput}\nvoice: { freeText: sms, prompt: { en: Your comment } }`,
      routes: '',
      path: 'states.ask',
      says: 'has no sw text',
    },
    {
      label: 'a voice route to an unknown flow',
      state: textInput.replace('type: text', 'type: number'),
      routes: "voice:\n  '+254711000001': feedback\n",
      path: 'voice."+254711000001"',
      says: 'points at flow "feedback", which is not loaded',
    },
    {
      label: 'a local voice route number',
      state: textInput.replace('type: text', 'type: number'),
      routes: "voice:\n  '0711000001': survey\n",
      path: 'voice."0711000001"',
      says: 'is not an international phone number',
    },
  ]

  it.each(invalid)('rejects $label', async ({ state, routes, path, says }) => {
    const error = await loadError(flowWith(state), routes)

    expect(error.path).toBe(path)
    expect(error.message).toContain(says)
  })

  it('checks TypeScript flows for voice too', () => {
    const flow = defineFlow({
      id: 'typed',
      machine: createMachine({
        initial: 'intake',
        states: {
          intake: {
            initial: 'name',
            states: {
              name: {
                meta: { screen: { prompt: 'Your name', input: { type: 'text' } } },
                on: { ANSWER: '#done' },
              },
            },
          },
          done: { id: 'done', type: 'final', meta: { end: { text: 'Thanks' } } },
        },
      }),
    })

    expect(() => checkVoiceFlow(flow, '+254711000001')).toThrow(
      /states\.intake\.name asks for text/,
    )
  })
})

describe('voice configuration', () => {
  it('reads the voice defaults', () => {
    const config = loadConfig({})

    expect(config.VOICE_KEY_MORE).toBe('9')
    expect(config.VOICE_KEY_BACK).toBe('0')
    expect(config.VOICE_KEY_REPEAT).toBe('*')
    expect(config.VOICE_MAX_SILENT_PROMPTS).toBe(2)
    expect(config.VOICE_MAX_INVALID_PROMPTS).toBe(3)
    expect(config.VOICE_RECORD_MAX_SECONDS).toBe(60)
  })

  it.each([
    {
      label: 'the same key twice',
      environment: { VOICE_KEY_MORE: '0' },
      says: 'three different keys',
    },
    { label: 'the finish key', environment: { VOICE_KEY_REPEAT: '#' }, says: 'VOICE_KEY_REPEAT' },
    { label: 'two keys in one', environment: { VOICE_KEY_BACK: '00' }, says: 'VOICE_KEY_BACK' },
  ])('rejects $label', ({ environment, says }) => {
    expect(() => loadConfig(environment)).toThrow(says)
  })
})
