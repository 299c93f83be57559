import { parseArgs } from 'node:util'

/** Options of a simulated USSD session. */
export interface UssdSimulatorOptions {
  readonly mode: 'ussd'
  readonly serviceCode: string
  readonly phoneNumber: string
  readonly networkCode: string
  /** Switchboard's Africa's Talking USSD callback URL. */
  readonly url: string
  /** Characters a screen may hold after `CON `/`END `, shown against each screen's count. */
  readonly screenLimit: number
  /** Replies to send in order without reading the terminal, or absent for an interactive session. */
  readonly inputs?: readonly string[]
}

/** Options of a simulated voice call. */
export interface VoiceSimulatorOptions {
  readonly mode: 'voice'
  /** The Switchboard voice number called, in international format. */
  readonly number: string
  /** Caller's number in international format. */
  readonly phoneNumber: string
  /** Switchboard's Africa's Talking voice callback URL. */
  readonly url: string
  /** Answers to the input steps in order (empty for silence), or absent for an interactive call. */
  readonly inputs?: readonly string[]
}

// Each mode of the simulator is one member of this union, and the entry point switches on `mode`.
export type SimulatorOptions = UssdSimulatorOptions | VoiceSimulatorOptions

export type SimulatorArguments =
  { readonly help: true } | { readonly help: false; readonly options: SimulatorOptions }

/** Invalid command-line arguments; the message names the option and the expected form. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export const defaultSwitchboardUrl = 'http://127.0.0.1:3000'
const ussdCallbackPath = '/africastalking/ussd'
const voiceCallbackPath = '/africastalking/voice'

export const usage = `Usage: npm run simulate -- --code '*384*123#' [options]
       npm run simulate -- --voice --number +254711000123 [options]

Walks a USSD flow as a phone on Africa's Talking would: every reply is a real
HTTP callback to a running Switchboard (start one with npm start).

Options:
  --code CODE       USSD code to dial, such as '*384*123#' (quote it in the shell)
  --phone NUMBER    subscriber's number in international format (default +254700000001)
  --network CODE    mobile country and network code (default 63902)
  --url URL         Switchboard's USSD callback URL; a URL without a path gets
                    ${ussdCallbackPath} (default $SWITCHBOARD_URL, else
                    ${defaultSwitchboardUrl}${ussdCallbackPath})
  --input LIST      comma-separated replies to send in order, such as 2,0700000002,500,1;
                    prints every screen and exits instead of reading the terminal
  --screen-limit N  characters a screen may hold after CON/END (default 182)
  -h, --help        show this help

Voice calls (--voice) print what the call would say and send each key press as
a voice callback to the URL the previous reply named:
  --voice           call a voice number instead of dialling a USSD code
  --number NUMBER   Switchboard voice number to call, in international format
  --phone, --url    as above; the default path is ${voiceCallbackPath}
  --input LIST      answers to each input step in order, such as 2,,34#
                    (an empty entry stays silent until the input times out)

Exit status: 0 when the walk completed, 1 when Switchboard could not be reached,
replied with an error, or ended the session before every --input was sent,
2 for invalid options.`

/** Parses the simulator's command-line arguments (without the node and script paths). */
export function parseSimulatorArguments(
  args: readonly string[],
  environment: Record<string, string | undefined> = process.env,
): SimulatorArguments {
  const { values, positionals } = parseOrRaise(args)
  if (values.help === true) return { help: true }
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}". Pass values with their option.`)
  }
  if (values.voice === true) return { help: false, options: voiceOptions(values, environment) }

  const options: UssdSimulatorOptions = {
    mode: 'ussd',
    serviceCode: checkServiceCode(values.code),
    phoneNumber: checkPhoneNumber(values.phone ?? '+254700000001'),
    networkCode: checkNetworkCode(values.network ?? '63902'),
    url: chooseCallbackUrl(values.url, environment.SWITCHBOARD_URL, ussdCallbackPath),
    screenLimit: checkScreenLimit(values['screen-limit'] ?? '182'),
    ...(values.input === undefined ? {} : { inputs: splitInputs(values.input) }),
  }
  return { help: false, options }
}

function voiceOptions(
  values: ReturnType<typeof parseOrRaise>['values'],
  environment: Record<string, string | undefined>,
): VoiceSimulatorOptions {
  for (const ussdOnly of ['code', 'network', 'screen-limit'] as const) {
    if (values[ussdOnly] !== undefined) {
      throw new UsageError(`--${ussdOnly} applies to USSD sessions. Leave it out with --voice.`)
    }
  }
  if (values.number === undefined) {
    throw new UsageError(
      '--number is missing. Give the voice number to call, such as --number +254711000123.',
    )
  }

  return {
    mode: 'voice',
    number: checkPhoneNumber(values.number, '--number'),
    phoneNumber: checkPhoneNumber(values.phone ?? '+254700000001'),
    url: chooseCallbackUrl(values.url, environment.SWITCHBOARD_URL, voiceCallbackPath),
    ...(values.input === undefined ? {} : { inputs: splitInputs(values.input) }),
  }
}

function parseOrRaise(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        code: { type: 'string' },
        phone: { type: 'string' },
        network: { type: 'string' },
        url: { type: 'string' },
        input: { type: 'string' },
        'screen-limit': { type: 'string' },
        voice: { type: 'boolean' },
        number: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new UsageError(`${message}\nRun with --help to list the options.`)
  }
}

function checkServiceCode(code: string | undefined): string {
  if (code === undefined) {
    throw new UsageError(
      "--code is missing. Give the USSD code to dial, such as --code '*384*123#'.",
    )
  }
  if (!/^\*\d+(\*\d+)*#$/.test(code)) {
    throw new UsageError(`--code "${code}" is not a USSD code. Use the form '*384*123#'.`)
  }
  return code
}

function checkPhoneNumber(phone: string, option = '--phone'): string {
  if (!/^\+\d{7,15}$/.test(phone)) {
    throw new UsageError(
      `${option} "${phone}" is not in international format. Use + and the country code, such as +254700000001.`,
    )
  }
  return phone
}

function checkNetworkCode(network: string): string {
  if (!/^\d{5,6}$/.test(network)) {
    throw new UsageError(
      `--network "${network}" is not a network code. Use the 5 or 6 digits of country and network, such as 63902.`,
    )
  }
  return network
}

function checkScreenLimit(limit: string): number {
  const value = Number(limit)
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--screen-limit "${limit}" is not a positive whole number, such as 182.`)
  }
  return value
}

function chooseCallbackUrl(
  option: string | undefined,
  environment: string | undefined,
  path: string,
): string {
  if (option !== undefined) return resolveCallbackUrl(option, '--url', path)
  if (environment !== undefined && environment !== '') {
    return resolveCallbackUrl(environment, 'SWITCHBOARD_URL', path)
  }
  return resolveCallbackUrl(defaultSwitchboardUrl, 'the default URL', path)
}

/** Accepts a full callback URL, or a base URL to which the mode's callback `path` is added. */
function resolveCallbackUrl(value: string, source: string, path: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(
      `${source} "${value}" is not a URL. Use one such as ${defaultSwitchboardUrl}.`,
    )
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source} "${value}" must start with http:// or https://.`)
  }
  if (url.pathname === '/') url.pathname = path
  return url.toString()
}

// An empty list dials and shows the first screen only.
function splitInputs(list: string): string[] {
  return list === '' ? [] : list.split(',')
}
