import { loadConfig } from '../config.ts'
import type { Flow } from '../engine/flow.ts'
import { checkFlow, type Finding } from '../flows/check-flows.ts'
import { FlowFileError } from '../flows/flow-file-error.ts'
import { loadFlows } from '../flows/load-flows.ts'

/**
 * Checks every flow in a folder (the first argument, or FLOWS_DIR, `machines/` by default) and
 * prints one line per problem, then a summary. Exits with 1 when a flow does not load or has an
 * error, so it can gate a deploy.
 *
 * Usage: npm run flows:check [-- <folder>]
 */
async function main(): Promise<number> {
  const config = loadConfig()
  const directory = process.argv[2] ?? config.FLOWS_DIR

  let flows: Flow[]
  try {
    const loaded = await loadFlows(directory, { defaultCountryCode: config.DEFAULT_COUNTRY_CODE })
    flows = loaded.registry.all()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.log(`${'error'.padEnd(8)}${directory} is not a folder. Give the folder of the flows.`)
      return 1
    }
    if (!(error instanceof FlowFileError)) throw error
    console.log(`${'error'.padEnd(8)}${error.message}`)
    console.log(
      `Could not load the flows in ${directory}: 1 error. Fix it and run the check again.`,
    )
    return 1
  }

  const settings = {
    screenLimit: config.USSD_SCREEN_LIMIT,
    defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
  }
  const findings = flows.flatMap((flow) => checkFlow(flow, settings))
  for (const finding of findings) console.log(formatFinding(finding))

  const errors = findings.filter((finding) => finding.level === 'error').length
  const warnings = findings.length - errors
  const names = flows.map((flow) => flow.id).join(', ')
  console.log(
    `Checked ${count(flows.length, 'flow')} in ${directory}${names === '' ? '' : ` (${names})`}: ` +
      `${count(errors, 'error')}, ${count(warnings, 'warning')}.` +
      (errors > 0 ? ' Fix the errors before the flows go live.' : ''),
  )
  return errors > 0 ? 1 : 0
}

/** Formats a finding as one line: `error   clinic confirm_booking [sw]: prompt is ...`. */
function formatFinding(finding: Finding): string {
  const where = [finding.flow, finding.state, finding.language && `[${finding.language}]`]
    .filter(Boolean)
    .join(' ')
  return `${finding.level.padEnd(8)}${where}: ${finding.message}`
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`
}

// A reader such as `head` may close the pipe before the end, which is no failure of the command.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit()
})

process.exitCode = await main()
