import { minutesOfDay, parseClock } from './local-time.ts'
import { ruleWords, type MessageFacts } from './message-facts.ts'
import type { RuleTestSpec } from './rule-schema.ts'

/** A compiled test: true when the message passes it. */
export type RuleTest = (facts: MessageFacts) => boolean

/**
 * Compiles a validated test. Words compare without case or accents, and a word ending in `*`
 * matches every word that starts with it (`bleed*` matches `bleeding`). An `anyWord` entry of
 * several words matches them as a phrase. Time of day is local to `timezone`, from inclusive to
 * exclusive, and wraps past midnight when `from` is later than `to`.
 */
export function compileRuleTest(spec: RuleTestSpec, timezone: string): RuleTest {
  if (spec.all !== undefined) {
    const tests = spec.all.map((each) => compileRuleTest(each, timezone))
    return (facts) => tests.every((test) => test(facts))
  }
  if (spec.any !== undefined) {
    const tests = spec.any.map((each) => compileRuleTest(each, timezone))
    return (facts) => tests.some((test) => test(facts))
  }
  if (spec.not !== undefined) {
    const test = compileRuleTest(spec.not, timezone)
    return (facts) => !test(facts)
  }
  return compileLeaf(spec, timezone)
}

function compileLeaf(spec: RuleTestSpec, timezone: string): RuleTest {
  if (spec.anyWord !== undefined) {
    const phrases = spec.anyWord.map(patternWords)
    return (facts) => phrases.some((phrase) => containsPhrase(facts.words, phrase))
  }
  if (spec.allWords !== undefined) {
    const phrases = spec.allWords.map(patternWords)
    return (facts) => phrases.every((phrase) => containsPhrase(facts.words, phrase))
  }
  if (spec.phrase !== undefined) {
    const phrase = patternWords(spec.phrase)
    return (facts) => containsPhrase(facts.words, phrase)
  }
  if (spec.startsWith !== undefined) {
    const phrase = patternWords(spec.startsWith)
    return (facts) => phraseAt(facts.words, phrase, 0)
  }
  if (spec.pattern !== undefined) {
    const pattern = new RegExp(spec.pattern, 'iu')
    return (facts) => pattern.test(facts.text)
  }
  if (spec.number !== undefined) {
    const { min = -Infinity, max = Infinity } = spec.number
    return (facts) => facts.numbers.some((number) => number >= min && number <= max)
  }
  if (spec.language !== undefined) {
    const languages = new Set(spec.language)
    return (facts) => facts.language !== undefined && languages.has(facts.language)
  }
  if (spec.lastReceived !== undefined) return compileLastReceived(spec.lastReceived)
  if (spec.timeOfDay !== undefined) return compileTimeOfDay(spec.timeOfDay, timezone)
  throw new TypeError('A rule test has none of its known keys; validate it with ruleTestSchema.')
}

function compileLastReceived(spec: NonNullable<RuleTestSpec['lastReceived']>): RuleTest {
  return (facts) => {
    const last = facts.lastReceived
    if (last === undefined) return false
    if (spec.flow !== undefined && last.flow !== spec.flow) return false
    if (spec.campaign !== undefined && last.campaign !== spec.campaign) return false
    return spec.within === undefined || facts.at - last.at <= spec.within
  }
}

function compileTimeOfDay(
  spec: NonNullable<RuleTestSpec['timeOfDay']>,
  timezone: string,
): RuleTest {
  const from = parseClock(spec.from) ?? 0
  const to = parseClock(spec.to) ?? 0
  const zone = spec.timezone ?? timezone
  return (facts) => {
    const minute = minutesOfDay(facts.at, zone)
    return from <= to ? minute >= from && minute < to : minute >= from || minute < to
  }
}

/** Splits a rule's words like a message's, keeping a trailing `*`, which `ruleWords` trims. */
export function patternWords(entry: string): string[] {
  return entry
    .trim()
    .split(/\s+/)
    .flatMap((token) => {
      const wildcard = token.length > 1 && token.endsWith('*')
      const words = ruleWords(wildcard ? token.slice(0, -1) : token)
      if (wildcard && words.length > 0) words[words.length - 1] += '*'
      return words
    })
}

function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false
  for (let start = 0; start + phrase.length <= words.length; start += 1) {
    if (phraseAt(words, phrase, start)) return true
  }
  return false
}

function phraseAt(words: readonly string[], phrase: readonly string[], start: number): boolean {
  if (phrase.length === 0 || start + phrase.length > words.length) return false
  return phrase.every((expected, offset) => wordMatches(words[start + offset] ?? '', expected))
}

function wordMatches(word: string, expected: string): boolean {
  if (expected.endsWith('*')) return word.startsWith(expected.slice(0, -1))
  return word === expected
}
