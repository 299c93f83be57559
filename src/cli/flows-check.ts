import { loadConfig } from '../config.ts'
import { checkFlow, type Finding } from '../flows/check-flows.ts'
import { FlowFileError } from '../flows/flow-file-error.ts'
import { loadFlows } from '../flows/load-flows.ts'

/**
 * Checks every flow in FLOWS_DIR (default `machines/`) and prints what to fix. Exits with 1 when
 * a flow does not load or has an error, so it can gate a deploy.
 */
async function main(): Promise<number> {
  const config = loadConfig()
  const directory = process.argv[2] ?? config.FLOWS_DIR

  let flows
  try {
    flows = (await loadFlows(directory)).registry.all()
  } catch (error) {
    if (!(error instanceof FlowFileError)) throw error
    console.error(`error  ${error.message}`)
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
  console.log(
    `${flows.length} flows checked in ${directory}: ${errors} errors, ${warnings} warnings`,
  )
  return errors > 0 ? 1 : 0
}

function formatFinding(finding: Finding): string {
  const where = [finding.flow, finding.state, finding.language && `[${finding.language}]`]
    .filter(Boolean)
    .join(' ')
  return `${finding.level.padEnd(8)}${where}: ${finding.message}`
}

process.exitCode = await main()
