import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { explainSchemaIssue } from '../flows/checks/explain-schema-issue.ts'
import { editDistance } from '../messaging/inbound/edit-distance.ts'
import { compileRuleTest, patternWords } from './compile-rule-test.ts'
import { defaultTimezone, isKnownTimezone } from './local-time.ts'
import { ProgramRules, type CompiledRule, type Destination } from './program-rules.ts'
import { RuleBook } from './rule-book.ts'
import {
  rulesFileSchema,
  testKeys,
  type RuleSpec,
  type RuleTestSpec,
  type RulesFile,
  type RulesText,
} from './rule-schema.ts'
import { RulesFileError } from './rules-file-error.ts'

/** Rules files are `<program>.rules.yaml` (or `.yml`) next to the flows. */
export const rulesFilePattern = /\.rules\.ya?ml$/

/** Loads every rules file in `directory` into one rule book; raises on the first invalid file. */
export async function loadRuleBook(directory: string): Promise<RuleBook> {
  const names = (await readdir(directory)).filter((name) => rulesFilePattern.test(name)).sort()
  const programs: ProgramRules[] = []
  for (const name of names) programs.push(await loadRulesFile(join(directory, name)))
  return new RuleBook(programs)
}

/** Loads and checks one rules file. Errors name the file, the rule or key, and the fix. */
export async function loadRulesFile(path: string): Promise<ProgramRules> {
  const text = await readFile(path, 'utf8')
  return parseRules(path, text)
}

/** Parses the text of a rules file; `path` names it in errors and must end in `.rules.yaml`. */
export function parseRules(path: string, text: string): ProgramRules {
  let document: unknown
  try {
    document = parseYaml(text)
  } catch (error) {
    throw new RulesFileError(path, '', `is not valid YAML: ${(error as Error).message}`)
  }

  const parsed = rulesFileSchema.safeParse(document)
  if (!parsed.success) {
    const { path: keyPath, reason } =
      explainUnknownTestKey(parsed.error.issues) ??
      explainSchemaIssue(parsed.error.issues, rulesFileSchema, document)
    throw new RulesFileError(path, describeLocation(keyPath, document), reason)
  }
  return compileRules(path, parsed.data)
}

function compileRules(path: string, file: RulesFile): ProgramRules {
  const expectedProgram = basename(path).replace(rulesFilePattern, '')
  if (file.program !== expectedProgram) {
    throw new RulesFileError(
      path,
      'program',
      `is "${file.program}" but the file is named ${basename(path)}. Rename the file to ` +
        `${file.program}.rules.yaml, or set program: ${expectedProgram}.`,
    )
  }
  if (file.defaultLanguage !== undefined && !file.languages.includes(file.defaultLanguage)) {
    throw new RulesFileError(
      path,
      'defaultLanguage',
      `"${file.defaultLanguage}" is not in languages (${file.languages.join(', ')}). Add it to ` +
        'languages or pick one of them.',
    )
  }
  const timezone = file.timezone ?? defaultTimezone
  checkTimezone(path, 'timezone', timezone)
  checkCategoryTexts(path, file)

  const rules = file.rules.map((rule, index) => compileRule(path, file, rule, index, timezone))
  checkRuleOrder(path, file)
  return new ProgramRules(path, file, rules, timezone)
}

function compileRule(
  path: string,
  file: RulesFile,
  rule: RuleSpec,
  index: number,
  timezone: string,
): CompiledRule {
  const where = `rule "${rule.id}" (rules[${index}])`
  const firstIndex = file.rules.findIndex((other) => other.id === rule.id)
  if (firstIndex !== index) {
    throw new RulesFileError(
      path,
      where,
      `has the same id as rules[${firstIndex}]. Give each rule its own id.`,
    )
  }

  if (!(rule.category in file.categories)) {
    const known = Object.keys(file.categories).join(', ')
    throw new RulesFileError(
      path,
      `${where} category`,
      `"${rule.category}" is not in categories. Add it under categories:, or use one of: ${known}.`,
    )
  }
  if (rule.when !== undefined) checkTest(path, `${where} when`, rule.when)

  const destination = destinationOf(path, where, file, rule)
  return {
    id: rule.id,
    test: rule.when === undefined ? undefined : compileRuleTest(rule.when, timezone),
    category: rule.category,
    priority: rule.priority,
    destination,
  }
}

function destinationOf(path: string, where: string, file: RulesFile, rule: RuleSpec): Destination {
  const given = (['answer', 'queue', 'escalate'] as const).filter((key) => rule[key] !== undefined)
  if (given.length === 0) {
    throw new RulesFileError(
      path,
      where,
      'has no destination. Add one of answer:, queue: <team> or escalate: <team>.',
    )
  }
  if (given.length > 1) {
    throw new RulesFileError(
      path,
      where,
      `has more than one destination (${given.join(', ')}). Keep one of them.`,
    )
  }

  if (rule.answer !== undefined) {
    checkLanguages(path, `${where} answer.text`, rule.answer.text, file.languages)
    return { kind: 'answer', text: rule.answer.text, flow: rule.answer.flow }
  }
  const kind = rule.queue !== undefined ? 'queue' : 'escalate'
  const team = rule.queue ?? rule.escalate ?? ''
  if (!(team in file.teams)) {
    const known = Object.keys(file.teams)
    const choice = known.length > 0 ? `Use one of: ${known.join(', ')}, or add` : 'Add'
    throw new RulesFileError(
      path,
      `${where} ${kind}`,
      `"${team}" is not a team in teams. ${choice} it under teams:.`,
    )
  }
  return { kind, team }
}

/** The default rule comes last, once, without a test; every other rule has a test. */
function checkRuleOrder(path: string, file: RulesFile): void {
  const last = file.rules.length - 1
  file.rules.forEach((rule, index) => {
    const where = `rule "${rule.id}" (rules[${index}])`
    if (rule.default === true && index !== last) {
      const next = file.rules[index + 1]?.id ?? ''
      throw new RulesFileError(
        path,
        where,
        `is the default rule, so it must be the last one, but rule "${next}" follows it. ` +
          'Move it to the end.',
      )
    }
    if (rule.default === true && rule.when !== undefined) {
      throw new RulesFileError(
        path,
        where,
        'is the default rule and cannot have when:. Remove when: or default:.',
      )
    }
    if (rule.default !== true && rule.when === undefined) {
      const fix =
        index === last
          ? 'Add when:, or make it the default rule with default: true.'
          : 'Add when: to say which messages it takes.'
      throw new RulesFileError(path, where, `has no when: test. ${fix}`)
    }
  })

  if (file.rules[last]?.default !== true) {
    throw new RulesFileError(
      path,
      'rules',
      'has no default rule. End the list with one, e.g. ' +
        '- { id: default, default: true, category: <category>, queue: <team> }.',
    )
  }
}

function checkTest(path: string, where: string, test: RuleTestSpec): void {
  const parts: [string, RuleTestSpec][] = [
    ...(test.all ?? []).map((each, index): [string, RuleTestSpec] => [`all[${index}]`, each]),
    ...(test.any ?? []).map((each, index): [string, RuleTestSpec] => [`any[${index}]`, each]),
    ...(test.not === undefined ? [] : [['not', test.not] as [string, RuleTestSpec]]),
  ]
  for (const [key, part] of parts) checkTest(path, `${where}.${key}`, part)

  for (const key of ['anyWord', 'allWords'] as const) {
    for (const entry of test[key] ?? []) checkWords(path, `${where}.${key}`, entry)
  }
  for (const key of ['phrase', 'startsWith'] as const) {
    const entry = test[key]
    if (entry !== undefined) checkWords(path, `${where}.${key}`, entry)
  }
  const timezone = test.timeOfDay?.timezone
  if (timezone !== undefined) checkTimezone(path, `${where}.timeOfDay.timezone`, timezone)
}

function checkWords(path: string, where: string, entry: string): void {
  if (patternWords(entry).length > 0) return
  throw new RulesFileError(
    path,
    where,
    `"${entry}" has no letters or digits, so it can never match. Write the word itself.`,
  )
}

function checkTimezone(path: string, where: string, timezone: string): void {
  if (isKnownTimezone(timezone)) return
  throw new RulesFileError(
    path,
    where,
    `"${timezone}" is not a known timezone. Use an IANA name such as ${defaultTimezone}.`,
  )
}

function checkCategoryTexts(path: string, file: RulesFile): void {
  for (const [id, category] of Object.entries(file.categories)) {
    for (const key of ['name', 'acknowledgement', 'stillWorking', 'resolved'] as const) {
      const text = category[key]
      if (text !== undefined) checkLanguages(path, `categories.${id}.${key}`, text, file.languages)
    }
  }
}

function checkLanguages(
  path: string,
  where: string,
  text: RulesText,
  languages: readonly string[],
): void {
  if (typeof text === 'string') return
  const missing = languages.find((language) => text[language] === undefined)
  if (missing === undefined) return
  throw new RulesFileError(
    path,
    where,
    `has no "${missing}" text. Add ${missing}: to it, since the file lists languages: ${languages.join(', ')}.`,
  )
}

/**
 * Words an unknown key inside a rule test with the test key it most likely misspells. The
 * general explanation cannot see into `when:`, whose schema is recursive.
 */
function explainUnknownTestKey(issues: readonly z.core.$ZodIssue[]) {
  const issue = issues.find(
    (each) => each.code === 'unrecognized_keys' && each.path.includes('when'),
  )
  if (issue === undefined || issue.code !== 'unrecognized_keys') return undefined

  const unknown = issue.keys.map((key) => `"${key}"`).join(', ')
  const guesses = issue.keys.flatMap((key) => {
    const close = testKeys.find(
      (known) => editDistance(key.toLowerCase(), known.toLowerCase()) <= 2,
    )
    return close === undefined ? [] : [`"${close}"`]
  })
  const fix =
    guesses.length > 0
      ? `Did you mean ${guesses.join(', ')}?`
      : `Tests are: ${testKeys.join(', ')}.`
  return { path: issue.path, reason: `has an unknown key ${unknown}. ${fix}` }
}

/** Words a key path: `rule "balance" (rules[1]) when.anyWord`, or `categories.general.name`. */
function describeLocation(keyPath: readonly PropertyKey[], document: unknown): string {
  const [first, second, ...rest] = keyPath
  if (first === 'rules' && typeof second === 'number') {
    const rules = (document as { rules?: unknown[] } | null)?.rules
    const id = (rules?.[second] as { id?: unknown } | undefined)?.id
    const rule = typeof id === 'string' ? `rule "${id}" (rules[${second}])` : `rules[${second}]`
    return rest.length === 0 ? rule : `${rule} ${joinPath(rest)}`
  }
  return joinPath(keyPath)
}

function joinPath(keyPath: readonly PropertyKey[]): string {
  return keyPath
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('')
}
