import { initialTransition } from 'xstate'
import type { Flow } from '../../engine/flow.ts'
import { readPath, templatePaths } from '../../text/template.ts'
import { localize } from '../../engine/localize.ts'
import { allNodes, metaOf } from './flow-graph.ts'
import { stateTexts } from './state-texts.ts'

// A made-up Kenyan number: the check renders screens, it never sends anything.
export const sampleMsisdn = '+254700000001'

/** Returns the context a new session starts with, overlaid with the flow's `sample:` values. */
export function sampleContext(flow: Flow, language?: string): Record<string, unknown> {
  const [initial] = initialTransition(flow.machine, { msisdn: sampleMsisdn, language })
  const context = { ...(initial.context as Record<string, unknown>), ...flow.sample }
  return language === undefined ? context : { ...context, language }
}

/**
 * Lists the context paths that texts and lists use but the sample leaves unset, in the order
 * the states declare them. Screens that use them are checked as if the value were empty.
 */
export function pathsMissingFromSample(flow: Flow): string[] {
  const context = sampleContext(flow)
  const missing = new Set<string>()

  for (const node of allNodes(flow.machine)) {
    const list = metaOf(node).screen?.list
    if (list !== undefined && readPath(context, list.from) === undefined) missing.add(list.from)

    for (const { text } of stateTexts(node)) {
      for (const language of flow.languages) {
        const template = localize(text, language, flow.defaultLanguage)
        for (const path of templatePaths(template)) {
          if (readPath(context, path) === undefined) missing.add(path)
        }
      }
    }
  }
  return [...missing]
}
