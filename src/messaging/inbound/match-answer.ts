import { editDistance } from './edit-distance.ts'
import { keywordForm, normalizeMatchText, splitWords } from './match-text.ts'
import { compactWord, onlyPoliteWords } from './reply-words.ts'

/** One answer an open question accepts ("Reply 2 for Power", or YES). */
export interface Choice {
  readonly id: string
  /** The number shown before the option; a choice without one is picked by its words only. */
  readonly number?: number
  /** Words or phrases that pick the option by name (`Power`, `Not sure`), in any case. */
  readonly words?: readonly string[]
}

export type AnswerMatch =
  | { readonly kind: 'match'; readonly id: string }
  /** A typo of one choice's word. Never act on it: ask "Did you mean YES? Reply YES to confirm". */
  | { readonly kind: 'near-miss'; readonly id: string }
  | { readonly kind: 'no-match' }

export interface MatchAnswerOptions {
  /**
   * Number words read as digits, in upper case (`{ TWO: 2 }`). None by default, so `two` does not
   * pick option 2: a number word can also be part of an option's name, and the prompt always
   * shows digits. Pass `englishNumberWords` to accept one to nine.
   */
  readonly numberWords?: Readonly<Record<string, number>>
}

export const englishNumberWords: Readonly<Record<string, number>> = {
  ONE: 1,
  TWO: 2,
  THREE: 3,
  FOUR: 4,
  FIVE: 5,
  SIX: 6,
  SEVEN: 7,
  EIGHT: 8,
  NINE: 9,
}

/**
 * Choices of a YES / NO / CANCEL confirmation, with the Swahili YES and NO. CANCEL cancels the
 * workflow that is waiting; it is not an opt-out.
 */
export const confirmationChoices: readonly Choice[] = [
  { id: 'yes', words: ['YES', 'NDIYO', 'NDIO'] },
  { id: 'no', words: ['NO', 'HAPANA'] },
  { id: 'cancel', words: ['CANCEL'] },
]

// A typo is only considered for choice words at least this long, because at one edit from a
// two-letter word (NO) lie too many ordinary words.
const minTypoLength = 3

/**
 * Matches a reply against the choices of one question.
 *
 * The reply is normalised (NFKC, digits folded to ASCII, case and accents ignored) and split
 * into words, with punctuation and symbols trimmed from each word (`#2`, `2)`, `Yes.`). Then:
 * - A first word of digits picks the choice with that number (`02` is 2, `22` is not). It may be
 *   followed by that choice's own words (`2 power`) and courtesy words (`2 please`), nothing else.
 * - A first word (or phrase) that is a choice's word picks it (`power`, `Yes please`). It may be
 *   followed by that choice's number and courtesy words. `yesterday`, `eyes` and `yes-no` are
 *   not YES, because the whole word must match.
 * - Otherwise, a first word one edit (insert, delete, change, swap) from a choice word of three or
 *   more letters, with the same first letter, is a near-miss (`yse`, `YESS`, `CANCLE`). The first
 *   letter must match, so `eyes` is not a near-miss of YES.
 */
export function matchAnswer(
  choices: readonly Choice[],
  text: string,
  options: MatchAnswerOptions = {},
): AnswerMatch {
  const words = splitWords(keywordForm(normalizeMatchText(text)))
  if (words.length === 0) return { kind: 'no-match' }

  const number = readNumber(words[0]!, options)
  if (number !== null) return matchByNumber(choices, number, words.slice(1))

  const byWord = matchByWord(choices, words)
  if (byWord.kind === 'match') return byWord

  return findNearMiss(choices, words)
}

function matchByNumber(
  choices: readonly Choice[],
  number: number,
  rest: readonly string[],
): AnswerMatch {
  const choice = choices.find((candidate) => candidate.number === number)
  if (!choice) return { kind: 'no-match' }

  if (onlyPoliteWords(rest)) return { kind: 'match', id: choice.id }

  const named = phraseLength(choice, rest)
  if (named > 0 && onlyPoliteWords(rest.slice(named))) return { kind: 'match', id: choice.id }

  return { kind: 'no-match' }
}

function matchByWord(choices: readonly Choice[], words: readonly string[]): AnswerMatch {
  const ids = new Set<string>()

  for (const choice of choices) {
    const named = phraseLength(choice, words)
    if (named === 0) continue

    let rest = words.slice(named)
    if (choice.number !== undefined && rest[0] === String(choice.number)) rest = rest.slice(1)
    if (onlyPoliteWords(rest)) ids.add(choice.id)
  }

  // Two choices that share a word are indistinguishable, so the reply matches neither.
  const [id] = ids
  return ids.size === 1 && id !== undefined ? { kind: 'match', id } : { kind: 'no-match' }
}

function findNearMiss(choices: readonly Choice[], words: readonly string[]): AnswerMatch {
  if (!onlyPoliteWords(words.slice(1))) return { kind: 'no-match' }

  const typed = compactWord(words[0]!)
  const ids = new Set<string>()
  for (const choice of choices) {
    for (const word of choice.words ?? []) {
      const expected = compactWord(keywordForm(word))
      if (isTypo(typed, expected)) ids.add(choice.id)
    }
  }

  const [id] = ids
  return ids.size === 1 && id !== undefined ? { kind: 'near-miss', id } : { kind: 'no-match' }
}

function isTypo(typed: string, expected: string): boolean {
  if (expected.length < minTypoLength || !/^\p{L}+$/u.test(expected)) return false
  if (typed[0] !== expected[0]) return false
  return editDistance(typed, expected) === 1
}

/** Returns how many leading words name one of the choice's words or phrases, or 0. */
function phraseLength(choice: Choice, words: readonly string[]): number {
  for (const phrase of choice.words ?? []) {
    const expected = keywordForm(normalizeMatchText(phrase))
    const length = expected.split(' ').length
    if (compactWord(words.slice(0, length).join(' ')) === compactWord(expected)) return length
  }
  return 0
}

function readNumber(word: string, options: MatchAnswerOptions): number | null {
  // More than six digits is no menu number; it would also lose precision as a number.
  if (/^\d{1,6}$/.test(word)) return Number(word)
  return options.numberWords?.[word] ?? null
}
