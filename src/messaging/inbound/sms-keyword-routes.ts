import type { LocalizedText } from '../../engine/flow.ts'
import { keywordForm, splitWords } from './match-text.ts'

/** What one short code does with an SMS that answers no open question (`routes.yaml`, `sms:`). */
export interface SmsShortCodeRoute {
  /** First word of a message to the flow it starts, e.g. `{ BOOK: clinic }`. */
  readonly keywords: Readonly<Record<string, string>>
  /** Reply to HELP on this short code. */
  readonly help?: LocalizedText
}

/** The SMS routes of every short code, looked up by the `to` of an inbound SMS. */
export class SmsKeywordRoutes {
  private readonly routes = new Map<string, Map<string, string>>()
  private readonly helpTexts = new Map<string, LocalizedText>()

  constructor(routes: Readonly<Record<string, SmsShortCodeRoute>>) {
    for (const [shortCode, route] of Object.entries(routes)) {
      const keywords = Object.entries(route.keywords).map(([word, flowId]) => [
        word.toUpperCase(),
        flowId,
      ])
      this.routes.set(shortCode, new Map(keywords as [string, string][]))
      if (route.help !== undefined) this.helpTexts.set(shortCode, route.help)
    }
  }

  /**
   * Returns the flow that the first word of `matchText` starts on short code `to`, so `BOOK`,
   * `book.` and `Book please` all start the same flow.
   */
  flowFor(to: string, matchText: string): string | undefined {
    const first = splitWords(keywordForm(matchText))[0]
    if (first === undefined) return undefined
    return this.routes.get(to.trim())?.get(first)
  }

  help(to: string): LocalizedText | undefined {
    return this.helpTexts.get(to.trim())
  }
}
