import { runUssdSimulation } from './run-ussd-simulation.ts'
import { runVoiceSimulation } from './run-voice-simulation.ts'
import { parseSimulatorArguments, usage, UsageError } from './simulator-options.ts'
import { createProcessTerminal } from './terminal.ts'

// Entry point of `npm run simulate`: plays an aggregator's side of a session against a running
// Switchboard, so a flow can be walked without an aggregator account.

function parseOrExit(args: readonly string[]) {
  try {
    return parseSimulatorArguments(args)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exit(2)
  }
}

const parsed = parseOrExit(process.argv.slice(2))
if (parsed.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

const terminal = createProcessTerminal()
try {
  switch (parsed.options.mode) {
    case 'ussd':
      process.exitCode = await runUssdSimulation(parsed.options, terminal)
      break
    case 'voice':
      process.exitCode = await runVoiceSimulation(parsed.options, terminal)
      break
  }
} finally {
  terminal.close()
}
