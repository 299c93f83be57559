import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../src/logger.ts'
import { loadRuleBook, parseRules } from '../src/routing/load-rules.ts'
import { messageFacts } from '../src/routing/message-facts.ts'
import { watchRules, type RulesWatcher } from '../src/routing/watch-rules.ts'
import { LogCapture } from './support/test-switchboard.ts'

const file = 'machines/clinic.rules.yaml'
const fallback = '  - { id: default, default: true, category: general, queue: nurses }'

/** Builds a clinic rules file with `rules` before the default rule, and `extra` before teams. */
function rulesText(rules: string, options: { extra?: string; categories?: string } = {}) {
  return `
program: clinic
shortCodes: ['21512']
languages: [en, sw]
${options.extra ?? ''}
teams: { nurses: {} }
${options.categories ?? 'categories: { general: {}, medication: {} }'}
rules:
${rules}
`
}

/** Returns the message `action` raised, or a note that it raised nothing. */
function errorOf(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    return (error as Error).message
  }
  return 'no error was raised'
}

describe('rules file errors', () => {
  it.each([
    {
      label: 'misspelt test key',
      text: rulesText(
        `  - { id: meds, when: { anyword: [dawa] }, category: medication, queue: nurses }\n${fallback}`,
      ),
      error: `${file}: rule "meds" (rules[0]) when has an unknown key "anyword". Did you mean "anyWord"?`,
    },
    {
      label: 'two tests in one object',
      text: rulesText(
        `  - { id: meds, when: { anyWord: [dawa], phrase: side effect }, category: medication, queue: nurses }\n${fallback}`,
      ),
      error:
        `${file}: rule "meds" (rules[0]) when is invalid: must hold one test, not 2 ` +
        '(anyWord, phrase); combine several with all: or any:.',
    },
    {
      label: 'invalid pattern',
      text: rulesText(
        `  - { id: code, when: { pattern: '([a-z' }, category: medication, queue: nurses }\n${fallback}`,
      ),
      error:
        `${file}: rule "code" (rules[0]) when.pattern is invalid: not a valid regular ` +
        'expression (Invalid regular expression: /([a-z/iu: Unterminated character class).',
    },
    {
      label: 'empty number range',
      text: rulesText(
        `  - { id: big, when: { any: [{ anyWord: [loan] }, { all: [{ number: {} }] }] }, category: medication, queue: nurses }\n${fallback}`,
      ),
      error: `${file}: rule "big" (rules[0]) when.any[1].all[0].number is invalid: give min:, max: or both.`,
    },
    {
      label: 'invalid time of day',
      text: rulesText(
        `  - { id: night, when: { timeOfDay: { from: '25:00', to: '07:00' } }, category: medication, queue: nurses }\n${fallback}`,
      ),
      error:
        `${file}: rule "night" (rules[0]) when.timeOfDay.from is invalid: a time of day such as ` +
        '"08:00" or "17:30".',
    },
    {
      label: 'word of punctuation only',
      text: rulesText(
        `  - { id: meds, when: { anyWord: ['!!'] }, category: medication, queue: nurses }\n${fallback}`,
      ),
      error:
        `${file}: rule "meds" (rules[0]) when.anyWord "!!" has no letters or digits, so it can ` +
        'never match. Write the word itself.',
    },
    {
      label: 'no default rule',
      text: rulesText(
        '  - { id: meds, when: { anyWord: [dawa] }, category: medication, queue: nurses }',
      ),
      error:
        `${file}: rules has no default rule. End the list with one, e.g. - { id: default, ` +
        'default: true, category: <category>, queue: <team> }.',
    },
    {
      label: 'default rule first',
      text: rulesText(
        `${fallback}\n  - { id: meds, when: { anyWord: [dawa] }, category: medication, queue: nurses }`,
      ),
      error:
        `${file}: rule "default" (rules[0]) is the default rule, so it must be the last one, ` +
        'but rule "meds" follows it. Move it to the end.',
    },
    {
      label: 'rule without a test',
      text: rulesText(`  - { id: meds, category: medication, queue: nurses }\n${fallback}`),
      error: `${file}: rule "meds" (rules[0]) has no when: test. Add when: to say which messages it takes.`,
    },
    {
      label: 'unknown team',
      text: rulesText(
        `  - { id: meds, when: { anyWord: [dawa] }, category: medication, queue: nurse }\n${fallback}`,
      ),
      error:
        `${file}: rule "meds" (rules[0]) queue "nurse" is not a team in teams. Use one of: ` +
        'nurses, or add it under teams:.',
    },
    {
      label: 'unknown category',
      text: rulesText(
        `  - { id: meds, when: { anyWord: [dawa] }, category: medicine, queue: nurses }\n${fallback}`,
      ),
      error:
        `${file}: rule "meds" (rules[0]) category "medicine" is not in categories. Add it ` +
        'under categories:, or use one of: general, medication.',
    },
    {
      label: 'no destination',
      text: rulesText(
        `  - { id: meds, when: { anyWord: [dawa] }, category: medication }\n${fallback}`,
      ),
      error:
        `${file}: rule "meds" (rules[0]) has no destination. Add one of answer:, queue: <team> ` +
        'or escalate: <team>.',
    },
    {
      label: 'two destinations',
      text: rulesText(
        `  - { id: meds, when: { anyWord: [dawa] }, category: medication, queue: nurses, escalate: nurses }\n${fallback}`,
      ),
      error: `${file}: rule "meds" (rules[0]) has more than one destination (queue, escalate). Keep one of them.`,
    },
    {
      label: 'repeated rule id',
      text: rulesText(
        '  - { id: meds, when: { anyWord: [dawa] }, category: medication, queue: nurses }\n' +
          `  - { id: meds, when: { anyWord: [pill] }, category: medication, queue: nurses }\n${fallback}`,
      ),
      error: `${file}: rule "meds" (rules[1]) has the same id as rules[0]. Give each rule its own id.`,
    },
    {
      label: 'unknown priority',
      text: rulesText(
        `  - { id: meds, when: { anyWord: [dawa] }, category: medication, priority: critical, queue: nurses }\n${fallback}`,
      ),
      error:
        `${file}: rule "meds" (rules[0]) priority is invalid: Invalid option: expected one of ` +
        '"urgent"|"high"|"normal".',
    },
    {
      label: 'answer without Swahili',
      text: rulesText(
        `  - { id: meds, when: { anyWord: [dawa] }, category: medication, answer: { text: { en: Dial *384*123# } } }\n${fallback}`,
      ),
      error:
        `${file}: rule "meds" (rules[0]) answer.text has no "sw" text. Add sw: to it, since the ` +
        'file lists languages: en, sw.',
    },
    {
      label: 'acknowledgement without Swahili',
      text: rulesText(fallback, {
        categories: "categories: { general: { acknowledgement: { en: 'Thanks {{reference}}' } } }",
      }),
      error:
        `${file}: categories.general.acknowledgement has no "sw" text. Add sw: to it, since the ` +
        'file lists languages: en, sw.',
    },
    {
      label: 'invalid duration',
      text: rulesText(fallback, {
        categories: 'categories: { general: { claimWithin: 2 hours } }',
      }),
      error: `${file}: categories.general.claimWithin is invalid: "2 hours" is not a duration such as 30m, 4h or 2d.`,
    },
    {
      label: 'unknown timezone',
      text: rulesText(fallback, { extra: 'timezone: Africa/Nairobe' }),
      error: `${file}: timezone "Africa/Nairobe" is not a known timezone. Use an IANA name such as Africa/Nairobi.`,
    },
    {
      label: 'invalid on-call number',
      text: rulesText(fallback).replace(
        'teams: { nurses: {} }',
        "teams: { nurses: { onCall: '0711000900' } }",
      ),
      error: `${file}: teams.nurses.onCall is invalid: an E.164 number such as "+254711000900".`,
    },
    {
      label: 'program named after another file',
      text: rulesText(fallback).replace('program: clinic', 'program: loans'),
      error:
        `${file}: program is "loans" but the file is named clinic.rules.yaml. Rename the file ` +
        'to loans.rules.yaml, or set program: clinic.',
    },
    {
      label: 'missing short codes',
      text: 'program: clinic\nlanguages: [en]\ncategories: {}\nrules: []\n',
      error: `${file}: shortCodes is missing. Add shortCodes: to this part of the file.`,
    },
  ])('rejects $label', ({ text, error }) => {
    expect(errorOf(() => parseRules(file, text))).toBe(error)
  })

  it('rejects YAML that does not parse', () => {
    expect(() => parseRules(file, 'program: clinic\n  shortCodes: [\n')).toThrow(
      /^machines\/clinic\.rules\.yaml: is not valid YAML: Nested mappings are not allowed/,
    )
  })

  it('loads the example rules files', async () => {
    const book = await loadRuleBook('machines')

    expect(book.programs.map((program) => program.program)).toEqual(['clinic', 'loans'])
    expect(book.teams()).toEqual(['finance', 'nurses'])
  })
})

describe('rules folder', () => {
  let directory: string

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-rules-'))
  })

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it('tries the files of a shared short code in order', async () => {
    await copyFile('machines/clinic.rules.yaml', join(directory, 'clinic.rules.yaml'))
    await writeFile(
      join(directory, 'dental.rules.yaml'),
      rulesText(
        `  - { id: teeth, when: { anyWord: [tooth, teeth, jino] }, category: medication, queue: nurses }\n${fallback}`,
      ).replace('program: clinic', 'program: dental'),
    )
    const book = await loadRuleBook(directory)
    const decide = (text: string) => {
      const { program, decision } = book.decide(
        '21512',
        messageFacts({ matchText: text, receivedAt: Date.parse('2025-03-03T07:00:00Z') }),
      )
      return `${program.program}/${decision.rule}`
    }

    expect(book.programsFor('21512').map((program) => program.program)).toEqual([
      'clinic',
      'dental',
    ])
    expect(decide('my tooth hurts')).toBe('dental/teeth')
    expect(decide('bleeding tooth')).toBe('clinic/danger-signs')
    expect(decide('hello')).toBe('clinic/default')
  })
})

describe('rules hot reload', () => {
  let directory: string
  let path: string
  let logs: LogCapture
  let watcher: RulesWatcher

  const firstRule = (text: string) =>
    watcher.current().decide('21512', messageFacts({ matchText: text, receivedAt: Date.now() }))
      .decision.rule

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-rules-'))
    path = join(directory, 'clinic.rules.yaml')
    await writeFile(
      path,
      rulesText(
        `  - { id: meds, when: { anyWord: [dawa] }, category: medication, queue: nurses }\n${fallback}`,
      ),
    )
    logs = new LogCapture()
    watcher = watchRules({
      directory,
      initial: await loadRuleBook(directory),
      logger: createLogger({ level: 'debug', destination: logs }),
      debounceMs: 20,
    })
  })

  afterEach(async () => {
    watcher.close()
    await rm(directory, { recursive: true, force: true })
  })

  /** Waits until the watcher has logged `count` reload outcomes. */
  async function reloads(count: number) {
    await expect
      .poll(() => logs.lines.filter((line) => /^rules reload/.test(String(line['msg']))).length)
      .toBeGreaterThanOrEqual(count)
    await watcher.idle()
  }

  it('applies an edited rules file', async () => {
    expect(firstRule('vidonge')).toBe('default')

    await writeFile(
      path,
      rulesText(
        `  - { id: meds, when: { anyWord: [dawa, vidonge] }, category: medication, queue: nurses }\n${fallback}`,
      ),
    )
    await reloads(1)

    expect(firstRule('vidonge')).toBe('meds')
  })

  it('keeps the old rules after a broken edit', async () => {
    await writeFile(
      path,
      rulesText(
        `  - { id: meds, when: { anyword: [vidonge] }, category: medication, queue: nurses }\n${fallback}`,
      ),
    )
    await reloads(1)

    expect(firstRule('dawa')).toBe('meds')
    const failure = logs.lines.find(
      (line) => line['msg'] === 'rules reload failed; the previous rules stay in force',
    )
    expect(failure?.['level']).toBe(50)
    expect(failure?.['reason']).toBe(
      `${path}: rule "meds" (rules[0]) when has an unknown key "anyword". Did you mean "anyWord"?`,
    )
  })
})
