/**
 * Courtesy words that may follow an answer or a keyword without changing it (`Yes please`,
 * `Stop. Thank you`), in English and Swahili, in `keywordForm`.
 */
export const politeWords: ReadonlySet<string> = new Set([
  'PLEASE',
  'PLS',
  'PLZ',
  'KINDLY',
  'THANK',
  'THANKS',
  'THANKYOU',
  'THX',
  'TY',
  'YOU',
  'OK',
  'OKAY',
  'ASANTE',
  'SANA',
  'TAFADHALI',
])

/**
 * Words that start the rest of a request about the messages themselves (`Stop sending me
 * messages`, `Start texting me again`), in `keywordForm`.
 */
export const sendingWords: ReadonlySet<string> = new Set([
  'SEND',
  'SENDING',
  'TEXT',
  'TEXTS',
  'TEXTING',
  'MESSAGE',
  'MESSAGES',
  'MESSAGING',
  'MSG',
  'MSGS',
  'SMS',
  'ME',
  'IT',
  'NOW',
  'ALL',
])

/** Drops spaces and hyphens, so `OPT OUT`, `opt-out` and `OPTOUT` compare equal. */
export function compactWord(phrase: string): string {
  return phrase.replace(/[\s\p{Pd}]+/gu, '')
}

/** True when every word is a courtesy word; true for none. */
export function onlyPoliteWords(words: readonly string[]): boolean {
  return words.every((word) => politeWords.has(word))
}
