import type { Flow } from '../../engine/flow.ts'
import { localize } from '../../engine/localize.ts'
import { findNonGsm7Characters } from '../../text/gsm7.ts'
import { fillTemplate } from '../../text/template.ts'
import type { Finding } from './finding.ts'
import { allNodes, stateName } from './flow-graph.ts'
import { sampleContext } from './sample-context.ts'
import { stateTexts } from './state-texts.ts'

/**
 * Reports texts outside the GSM-7 basic set (warnings) and texts with no version in one of the
 * flow's languages (errors). Flow files fail to load on a missing translation already, so the
 * second check matters for machines written in TypeScript.
 */
export function checkTexts(flow: Flow): Finding[] {
  const findings: Finding[] = []

  for (const node of allNodes(flow.machine)) {
    const state = stateName(node)
    for (const { part, text } of stateTexts(node)) {
      if (typeof text !== 'string') {
        const missing = flow.languages.filter((language) => text[language] === undefined)
        for (const language of missing) {
          findings.push({
            level: 'error',
            flow: flow.id,
            state,
            language,
            message: `${part} has no ${language} text, so callers who use ${language} see the ${flow.defaultLanguage} text instead. Add the ${language} text.`,
          })
        }
      }

      // A text without languages reads the same in each, so it is reported once.
      const languages = typeof text === 'string' ? [undefined] : flow.languages
      for (const language of languages) {
        const chosen = language ?? flow.defaultLanguage
        const filled = fillTemplate(
          localize(text, chosen, flow.defaultLanguage),
          sampleContext(flow, chosen),
        )
        const outside = findNonGsm7Characters(filled)
        if (outside.length === 0) continue

        findings.push({
          level: 'warning',
          flow: flow.id,
          state,
          language,
          message: `${part} uses ${outside.map((char) => JSON.stringify(char)).join(' ')}, ${outside.length === 1 ? 'which is' : 'which are'} not in the GSM-7 alphabet. USSD screens drop or replace such characters, and an SMS that contains one holds 70 characters instead of 160. Use plain letters and punctuation.`,
        })
      }
    }
  }
  return findings
}
