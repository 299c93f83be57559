import { keywordForm, normalizeMatchText, splitWords } from '../messaging/inbound/match-text.ts'

/** The campaign or flow whose message a person received last, from their contact history. */
export interface LastReceived {
  readonly flow?: string
  readonly campaign?: string
  /** Milliseconds since the epoch. */
  readonly at: number
}

/** What rule tests look at, worked out once per message. */
export interface MessageFacts {
  /** The normalised text: NFKC, digits folded to ASCII, spaces collapsed. */
  readonly text: string
  /** Words of the text, upper-cased without accents, punctuation trimmed. */
  readonly words: readonly string[]
  /** Numbers in the text, in order. */
  readonly numbers: readonly number[]
  readonly language?: string
  readonly lastReceived?: LastReceived
  /** When the message was received, in milliseconds since the epoch. */
  readonly at: number
}

/** Works out the facts of a message for rule tests. */
export function messageFacts(input: {
  readonly matchText: string
  readonly receivedAt: number
  readonly language?: string
  readonly lastReceived?: LastReceived
}): MessageFacts {
  const text = normalizeMatchText(input.matchText)
  return {
    text,
    words: ruleWords(text),
    numbers: numbersIn(text),
    language: input.language,
    lastReceived: input.lastReceived,
    at: input.receivedAt,
  }
}

/** Splits a text into comparable words, for a message and for the words a rule lists. */
export function ruleWords(text: string): string[] {
  return splitWords(keywordForm(normalizeMatchText(text)))
}

/** Reads the numbers in a text: `1,500` is 1500 and `2.5` is 2.5. */
export function numbersIn(text: string): number[] {
  const withoutThousands = text.replace(/(\d),(?=\d{3}(?!\d))/g, '$1')
  return [...withoutThousands.matchAll(/\d+(?:\.\d+)?/g)].map((match) => Number(match[0]))
}
