import { keywordForm, normalizeMatchText, splitWords } from './match-text.ts'
import { compactWord, politeWords, sendingWords } from './reply-words.ts'

export type ComplianceAction = 'opt-out' | 'opt-in' | 'help'

export interface ComplianceKeywordMatch {
  readonly action: ComplianceAction
  /** The listed keyword that matched (`STOP`, `OPT OUT`). */
  readonly keyword: string
  /**
   * Digits sent after an opt-out keyword (`STOP 12345`). The whole number is opted out all the
   * same, and the confirmation should say so.
   */
  readonly reference?: string
}

export type ComplianceKeywords = Readonly<Record<ComplianceAction, readonly string[]>>

/**
 * Compliance keywords, compared in upper case with spaces and hyphens ignored.
 *
 * Decisions:
 * - CANCEL is not an opt-out. It is a flow word that cancels the workflow waiting for an answer
 *   (see `confirmationChoices`), although some US carriers treat it as an opt-out.
 * - YES is not an opt-in, because it answers confirmation questions. START, UNSTOP and
 *   SUBSCRIBE opt back in.
 * - `STOP <digits>` opts out the whole number. There is no per-record mute, so the match
 *   carries the digits as `reference` for the confirmation to mention.
 * - Only English words are listed. Pass another table to `matchComplianceKeyword` to add
 *   words in other languages.
 */
export const complianceKeywords: ComplianceKeywords = {
  'opt-out': ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'QUIT', 'END', 'OPTOUT', 'OPT OUT', 'REVOKE'],
  'opt-in': ['START', 'UNSTOP', 'SUBSCRIBE'],
  help: ['HELP', 'INFO'],
}

// Checked in this order, so opt-out wins where a custom table lists a word twice.
const actions: readonly ComplianceAction[] = ['opt-out', 'opt-in', 'help']

/**
 * Finds the compliance keyword that a whole message is, or returns null for anything else.
 *
 * The keyword must come first. Case, accents, full-width letters, invisible characters and
 * punctuation around words are ignored. After an opt-out or opt-in keyword may come only:
 * - nothing, or the same action's keyword again (`STOP STOP`);
 * - for an opt-out, one word of digits (`STOP 12345`), optionally followed by the next item;
 * - a phrase that starts with a courtesy word (`Stop. Thank you`, `stop please`) or with a word
 *   about the messages (`Stop sending me messages`, `Start texting me`). Missing an opt-out
 *   breaks the law in many countries, so the rest of that phrase is not read.
 *
 * After HELP or INFO may come only courtesy words and `me` (`Help me please`), because a longer
 * question (`Help me with my loan`) needs a person rather than the help text.
 *
 * Anything else is an ordinary message, so `We have got to STOP this bill`, `STOP this bill` and
 * `stopping by later` opt nobody out. A message that starts with a courtesy word (`Please stop`)
 * does not count either, and goes to whoever handles free text.
 */
export function matchComplianceKeyword(
  matchText: string,
  keywords: ComplianceKeywords = complianceKeywords,
): ComplianceKeywordMatch | null {
  const words = splitWords(keywordForm(normalizeMatchText(matchText)))
  if (words.length === 0) return null

  for (const action of actions) {
    for (const keyword of keywords[action]) {
      const length = keyword.split(' ').length
      if (compactWord(words.slice(0, length).join('')) !== compactWord(keyword)) continue

      const rest = words.slice(length)
      const match =
        action === 'help'
          ? matchHelpRest(keyword, rest)
          : matchRest(action, keyword, rest, keywords)
      if (match) return match
    }
  }
  return null
}

function matchRest(
  action: ComplianceAction,
  keyword: string,
  rest: readonly string[],
  keywords: ComplianceKeywords,
): ComplianceKeywordMatch | null {
  const reference = action === 'opt-out' && /^\d+$/.test(rest[0] ?? '') ? rest[0] : undefined
  const after = reference === undefined ? rest : rest.slice(1)
  const next = after[0]

  const repeated =
    next !== undefined && keywords[action].some((word) => compactWord(word) === compactWord(next))
  const accepted = next === undefined || politeWords.has(next) || sendingWords.has(next) || repeated
  if (!accepted) return null

  return { action, keyword, ...(reference === undefined ? {} : { reference }) }
}

function matchHelpRest(keyword: string, rest: readonly string[]): ComplianceKeywordMatch | null {
  const accepted = rest.every((word) => word === 'ME' || politeWords.has(word))
  return accepted ? { action: 'help', keyword } : null
}
