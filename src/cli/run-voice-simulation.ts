import { SwitchboardRequestError } from './post-form.ts'
import type { VoiceSimulatorOptions } from './simulator-options.ts'
import type { Terminal } from './terminal.ts'
import { VoiceCallClient } from './voice-call-client.ts'
import type { ScriptAction } from './voice-script.ts'

/** Source of the caller's input at each input step: keys, spoken words, or null to hang up. */
type NextInput = (kind: 'keys' | 'recording') => Promise<string | null>

type CallEnd = 'ended' | 'hung-up'

/**
 * Places voice calls against Switchboard and returns the exit status. With `inputs` it sends the
 * next entry at each input step (an empty entry stays silent). Without, it reads each input from
 * the terminal.
 */
export async function runVoiceSimulation(
  options: VoiceSimulatorOptions,
  terminal: Terminal,
): Promise<number> {
  try {
    if (options.inputs !== undefined) return await sendInputs(options, options.inputs, terminal)
    return await converse(options, terminal)
  } catch (error) {
    if (!(error instanceof SwitchboardRequestError)) throw error
    terminal.printError(error.message)
    return 1
  }
}

async function sendInputs(
  options: VoiceSimulatorOptions,
  inputs: readonly string[],
  terminal: Terminal,
): Promise<number> {
  const remaining = [...inputs]
  const nextInput: NextInput = async (kind) => {
    const input = remaining.shift()
    if (input !== undefined) terminal.print(`${kind === 'keys' ? 'keys' : 'says'}> ${input}`)
    return input ?? null
  }

  const end = await playCall(dial(options, terminal), terminal, nextInput)
  if (end === 'ended' && remaining.length > 0) {
    const sent = inputs.length - remaining.length
    terminal.printError(
      `The call ended after ${sent} of ${inputs.length} inputs, so these were not sent: ${remaining.join(',')}. ` +
        'Check the --input list against the flow.',
    )
    return 1
  }
  return 0
}

async function converse(options: VoiceSimulatorOptions, terminal: Terminal): Promise<number> {
  const nextInput: NextInput = (kind) => terminal.readLine(kind === 'keys' ? 'keys> ' : 'says> ')

  for (;;) {
    const end = await playCall(dial(options, terminal), terminal, nextInput)
    if (end === 'hung-up') return 0

    const answer = await terminal.readLine(`Call ${options.number} again? [y/N] `)
    if (answer === null || !/^y(es)?$/i.test(answer.trim())) return 0
  }
}

function dial(options: VoiceSimulatorOptions, terminal: Terminal): VoiceCallClient {
  const call = new VoiceCallClient(options)
  terminal.print(
    `\nCalling ${options.number} from ${options.phoneNumber}` +
      `\nCall ${call.sessionId} -> ${options.url}` +
      '\nType the keys to press and Enter; an empty line stays silent until the input times out.',
  )
  return call
}

/** Plays one call until Switchboard ends it or the caller hangs up, then sends the final notification. */
async function playCall(
  call: VoiceCallClient,
  terminal: Terminal,
  nextInput: NextInput,
): Promise<CallEnd> {
  let actions = await call.start()
  for (;;) {
    const next = await playScript(actions, call, terminal, nextInput)
    if (Array.isArray(next)) {
      actions = next
      continue
    }

    await call.hangUp()
    terminal.print(next === 'ended' ? 'Call ended.' : 'Hung up.')
    return next
  }
}

/**
 * Plays a reply's actions in order, as Africa's Talking does. An input step that gets keys or a
 * recording posts them and plays the new reply instead, and one that times out moves on to the
 * next action. The call ends after the last action.
 */
async function playScript(
  actions: readonly ScriptAction[],
  call: VoiceCallClient,
  terminal: Terminal,
  nextInput: NextInput,
): Promise<ScriptAction[] | CallEnd> {
  for (const action of actions) {
    switch (action.kind) {
      case 'say':
      case 'play':
        printOutput(action, terminal)
        break

      case 'getDigits': {
        action.prompt.forEach((prompt) => printOutput(prompt, terminal))
        terminal.print(`  [${describeKeys(action.numDigits, action.finishOnKey)}]`)
        const keys = await nextInput('keys')
        if (keys === null) return 'hung-up'
        if (keys !== '') return call.pressKeys(action.callbackUrl, keys)
        terminal.print(`  (no keys within ${action.timeoutSeconds ?? 30} s)`)
        break
      }

      case 'record': {
        action.prompt.forEach((prompt) => printOutput(prompt, terminal))
        terminal.print(
          `  [recording up to ${action.maxLengthSeconds ?? 3600} s: type what you would say]`,
        )
        const words = await nextInput('recording')
        if (words === null) return 'hung-up'
        return call.sendRecording(action.callbackUrl, simulatedRecordingUrl(call, words))
      }

      case 'redirect':
        return call.redirect(action.url)

      case 'unsupported':
        terminal.print(`  (<${action.name}> is not simulated)`)
        break
    }
  }
  return 'ended'
}

function printOutput(action: ScriptAction, terminal: Terminal): void {
  if (action.kind === 'say') terminal.print(`  says: ${action.text}`)
  if (action.kind === 'play') terminal.print(`  plays: ${action.url}`)
}

function describeKeys(numDigits: number | undefined, finishOnKey: string | undefined): string {
  const finish = finishOnKey === undefined ? '' : `, or end with ${finishOnKey}`
  if (numDigits === undefined) return `press keys then ${finishOnKey ?? 'wait'}`
  return `press ${numDigits} ${numDigits === 1 ? 'key' : 'keys'}${finish}`
}

// A made-up address on a reserved domain: nothing fetches it, it only stands for the recording.
let recordings = 0
function simulatedRecordingUrl(call: VoiceCallClient, words: string): string {
  if (words === '') return ''
  recordings += 1
  const said = encodeURIComponent(words)
  return `https://recordings.example.org/simulated/${call.sessionId}-${recordings}.mp3?said=${said}`
}
