import { renderPhoneScreen } from './phone-screen.ts'
import { SwitchboardRequestError } from './post-form.ts'
import type { UssdSimulatorOptions } from './simulator-options.ts'
import type { Terminal } from './terminal.ts'
import { UssdSessionClient, type UssdScreen } from './ussd-session-client.ts'

/**
 * Walks USSD sessions against Switchboard and returns the exit status. With `inputs` it sends
 * them in order in one session. Without, it reads each reply from the terminal.
 */
export async function runUssdSimulation(
  options: UssdSimulatorOptions,
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
  options: UssdSimulatorOptions,
  inputs: readonly string[],
  terminal: Terminal,
): Promise<number> {
  const session = dial(options, terminal)
  let screen = await session.start()
  show(screen, options, terminal)

  for (const [index, input] of inputs.entries()) {
    if (screen.end) {
      const unsent = inputs.slice(index).join(',')
      terminal.printError(
        `The session ended after ${index} of ${inputs.length} inputs, so these were not sent: ${unsent}. ` +
          'Check the --input list against the flow.',
      )
      return 1
    }

    terminal.print(`> ${input}`)
    screen = await session.reply(input)
    show(screen, options, terminal)
  }

  if (!screen.end) terminal.print('The session is still open: every --input was sent.')
  return 0
}

async function converse(options: UssdSimulatorOptions, terminal: Terminal): Promise<number> {
  for (;;) {
    const session = dial(options, terminal)
    let screen = await session.start()
    show(screen, options, terminal)

    while (!screen.end) {
      const input = await terminal.readLine('> ')
      if (input === null) return 0
      screen = await session.reply(input)
      show(screen, options, terminal)
    }

    const answer = await terminal.readLine(`Dial ${options.serviceCode} again? [y/N] `)
    if (answer === null || !/^y(es)?$/i.test(answer.trim())) return 0
  }
}

function dial(options: UssdSimulatorOptions, terminal: Terminal): UssdSessionClient {
  const session = new UssdSessionClient(options)
  terminal.print(
    `\nDialling ${options.serviceCode} from ${options.phoneNumber} on network ${options.networkCode}` +
      `\nSession ${session.sessionId} -> ${options.url}`,
  )
  return session
}

function show(screen: UssdScreen, options: UssdSimulatorOptions, terminal: Terminal): void {
  terminal.print(renderPhoneScreen(screen, options.screenLimit))
  if (screen.end) terminal.print('Session ended.')
}
