import type { AnyStateNode } from 'xstate'
import type { Flow } from '../../engine/flow.ts'
import type { Finding } from './finding.ts'
import { allNodes, metaOf, ownEdges, stateName } from './flow-graph.ts'
import { smsActions } from './state-texts.ts'

// "SMS" as a word in any language ("SMS", "sms", "SMSes"), not inside another word.
const mentionsSms = /(^|[^\p{L}])sms(es|s)?($|[^\p{L}])/iu

/**
 * Reports ends whose text promises the caller an SMS while the flow sends none on the way in, so
 * the caller waits for a confirmation that never comes.
 */
export function checkSmsPromises(flow: Flow): Finding[] {
  const nodes = allNodes(flow.machine)
  const findings: Finding[] = []

  for (const node of nodes) {
    const text = metaOf(node).end?.text
    if (text === undefined) continue

    const texts = typeof text === 'string' ? { any: text } : text
    const promising = Object.keys(texts).filter((language) => mentionsSms.test(texts[language]!))
    if (promising.length === 0 || sendsSmsOnEntry(node, nodes)) continue

    const which = typeof text === 'string' ? [] : promising
    findings.push({
      level: 'error',
      flow: flow.id,
      state: stateName(node),
      message: `${endTextsTell(which)} the caller to expect an SMS, but this state sends none. Add sms: with the message to send, or take the SMS out of the end text.`,
    })
  }
  return findings
}

function endTextsTell(languages: readonly string[]): string {
  if (languages.length === 0) return 'the end text tells'
  if (languages.length === 1) return `the ${languages[0]} end text tells`
  return `the ${languages.join(' and ')} end texts tell`
}

/** Checks whether an SMS is sent on entering `node` or on a transition that leads to it. */
function sendsSmsOnEntry(node: AnyStateNode, nodes: readonly AnyStateNode[]): boolean {
  if (smsActions(node.entry).length > 0) return true

  return nodes.some((other) =>
    ownEdges(other).some(
      (edge) => edge.targets.includes(node) && smsActions(edge.actions).length > 0,
    ),
  )
}
