import type { Flow } from '../engine/flow.ts'
import { checkReachability } from './checks/check-reachability.ts'
import { checkScreens } from './checks/check-screens.ts'
import { checkSessionLength } from './checks/check-session-length.ts'
import { checkSmsPromises } from './checks/check-sms-promise.ts'
import { checkTexts } from './checks/check-texts.ts'
import { checkWaysOut } from './checks/check-ways-out.ts'
import { allNodes, stateName } from './checks/flow-graph.ts'
import type { CheckSettings, Finding } from './checks/finding.ts'
import { pathsMissingFromSample } from './checks/sample-context.ts'

export type { CheckSettings, Finding } from './checks/finding.ts'

/**
 * Checks a loaded flow before it goes live and returns what to fix, errors before warnings:
 * screens that do not fit the USSD limit on some page in some language with the sample values,
 * missing translations, characters outside GSM-7, states nothing leads to or that lead nowhere,
 * answers and tasks that go nowhere, input screens with no way out, ends that promise an SMS the
 * flow does not send, and ways through the flow too long for one USSD session.
 */
export function checkFlow(flow: Flow, settings: CheckSettings): Finding[] {
  const findings = [
    ...checkSample(flow),
    ...checkReachability(flow),
    ...checkWaysOut(flow),
    ...checkSmsPromises(flow),
    ...checkTexts(flow),
    ...checkScreens(flow, settings),
    ...checkSessionLength(flow),
  ]
  return sortFindings(flow, findings)
}

/** Errors before warnings, then flow-wide findings, then state by state in flow order. */
function sortFindings(flow: Flow, findings: readonly Finding[]): Finding[] {
  const order = new Map(allNodes(flow.machine).map((node, index) => [stateName(node), index]))
  const rank = (finding: Finding) =>
    (finding.level === 'error' ? 0 : 1) * (order.size + 2) +
    (finding.state === undefined ? 0 : (order.get(finding.state) ?? order.size) + 1)
  return [...findings].sort((a, b) => rank(a) - rank(b))
}

function checkSample(flow: Flow): Finding[] {
  const missing = pathsMissingFromSample(flow)
  if (missing.length === 0) return []

  const one = missing.length === 1
  return [
    {
      level: 'warning',
      flow: flow.id,
      message:
        `the sample has no value for ${missing.join(', ')}, so the check left ${one ? 'it' : 'them'} blank and may miss texts that are too long. ` +
        `Add ${one ? 'an example value' : 'example values'} under sample: in the flow file.`,
    },
  ]
}
