import { normalizeInput } from '../../text/digits.ts'

// Format characters (Unicode category Cf): zero-width spaces and joiners, soft hyphens,
// direction marks and byte-order marks that handsets and keyboards insert invisibly.
const formatCharacters = /\p{Cf}/gu

const combiningMarks = /\p{M}/gu

/**
 * Normalises an inbound SMS for matching: NFKC (full-width letters and digits become ASCII),
 * digits from other scripts folded to ASCII, invisible format characters removed, every run of
 * white space turned into one space, and both ends trimmed. Case and punctuation are kept.
 * Applying it twice gives the same text.
 */
export function normalizeMatchText(text: string): string {
  return normalizeInput(text).replace(formatCharacters, '').replace(/\s+/gu, ' ').trim()
}

/** Upper-cases a normalised text and drops accents, so `stóp`, `Stop` and `STOP` compare equal. */
export function keywordForm(matchText: string): string {
  return matchText.normalize('NFD').replace(combiningMarks, '').toUpperCase()
}

// Sentence punctuation that separates words even without a space after it (`Stop.Thank you`),
// including the Arabic comma and question mark. Hyphens and apostrophes stay inside words.
const wordBreaks = /[\s.,!?;:\u060c\u061f]+/u

/**
 * Splits a text into words at white space and sentence punctuation, and trims other punctuation
 * and symbols from each end of every word. `yes-no` stays one word; `#2` and `2)` become `2`.
 * Words that were only punctuation or symbols (`**`, an emoji) are dropped.
 */
export function splitWords(text: string): string[] {
  return text
    .split(wordBreaks)
    .map((word) => word.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, ''))
    .filter((word) => word !== '')
}
