import { beforeAll, describe, expect, it } from 'vitest'
import { loadRuleBook, parseRules } from '../src/routing/load-rules.ts'
import { messageFacts, type LastReceived } from '../src/routing/message-facts.ts'
import { RuleBook } from '../src/routing/rule-book.ts'

// 10:00 in Nairobi (UTC+3) on a Monday.
const morning = Date.parse('2025-03-03T07:00:00Z')
const day = 24 * 60 * 60 * 1000

interface Extra {
  readonly at?: number
  readonly language?: string
  readonly lastReceived?: LastReceived
}

function decide(book: RuleBook, to: string, text: string, extra: Extra = {}) {
  const facts = messageFacts({
    matchText: text,
    receivedAt: extra.at ?? morning,
    language: extra.language,
    lastReceived: extra.lastReceived,
  })
  return book.decide(to, facts).decision
}

describe('example clinic rules', () => {
  let book: RuleBook
  beforeAll(async () => {
    book = await loadRuleBook('machines')
  })

  it.each([
    { text: 'I have chest pain', rule: 'danger-signs' },
    { text: 'CHEST PAIN since morning!', rule: 'danger-signs' },
    { text: 'my wife is bleeding a lot', rule: 'danger-signs' },
    { text: 'The baby had fits last night', rule: 'danger-signs' },
    { text: 'he is having convulsions', rule: 'danger-signs' },
    { text: 'She is unconscious', rule: 'danger-signs' },
    { text: 'Mtoto anatoka damu puani', rule: 'danger-signs' },
    { text: 'Nina maumivu ya kifua', rule: 'danger-signs' },
    { text: 'Mama amezimia', rule: 'danger-signs' },
    { text: 'mtoto ana degedege', rule: 'danger-signs' },
    { text: 'How many tablets should I take?', rule: 'medication' },
    { text: 'Dawa zangu zimeisha', rule: 'medication' },
    { text: 'side effects of my ARVs', rule: 'medication' },
    { text: 'Can I book for Friday?', rule: 'appointments' },
    { text: 'Nataka kuweka miadi', rule: 'appointments' },
    { text: 'Thank you nurse', rule: 'default' },
    { text: 'my chest is fine now', rule: 'default' },
  ])('routes "$text" by rule $rule', ({ text, rule }) => {
    expect(decide(book, '21512', text).rule).toBe(rule)
  })

  it('escalates danger signs to nurses', () => {
    const decision = decide(book, '21512', 'chest pain')

    expect(decision.priority).toBe('urgent')
    expect(decision.destination).toEqual({ kind: 'escalate', team: 'nurses' })
    expect(decision.category).toBe('danger-signs')
  })

  it('queues medication questions for nurses', () => {
    const decision = decide(book, '21512', 'Which medicine for a cough?')

    expect(decision.priority).toBe('normal')
    expect(decision.destination).toEqual({ kind: 'queue', team: 'nurses' })
  })

  it.each([
    { label: '20:00 in Nairobi', at: Date.parse('2025-03-03T17:00:00Z'), rule: 'after-hours' },
    { label: '02:30 in Nairobi', at: Date.parse('2025-03-02T23:30:00Z'), rule: 'after-hours' },
    { label: '06:59 in Nairobi', at: Date.parse('2025-03-03T03:59:00Z'), rule: 'after-hours' },
    { label: '07:00 in Nairobi', at: Date.parse('2025-03-03T04:00:00Z'), rule: 'default' },
    { label: '17:59 in Nairobi', at: Date.parse('2025-03-03T14:59:00Z'), rule: 'default' },
  ])('routes a general question at $label by $rule', ({ at, rule }) => {
    expect(decide(book, '21512', 'Hello, are you open?', { at }).rule).toBe(rule)
  })

  it('escalates danger signs after hours', () => {
    const night = Date.parse('2025-03-03T20:00:00Z')
    expect(decide(book, '21512', 'bleeding', { at: night }).rule).toBe('danger-signs')
  })
})

describe('example loans rules', () => {
  let book: RuleBook
  beforeAll(async () => {
    book = await loadRuleBook('machines')
  })

  const reminder = (daysAgo: number): LastReceived => ({
    campaign: 'repayment-reminder',
    at: morning - daysAgo * day,
  })

  it.each([
    { text: 'balance', rule: 'balance', extra: {} },
    { text: 'Salio langu ni ngapi?', rule: 'balance', extra: {} },
    { text: 'I paid 2,000 but my balance is wrong', rule: 'payment-dispute', extra: {} },
    { text: 'Nimelipa lakini haijaonekana', rule: 'payment-dispute', extra: {} },
    { text: 'I want a refund', rule: 'payment-dispute', extra: {} },
    { text: 'M-Pesa payment not reflected', rule: 'payment-dispute', extra: {} },
    { text: 'I need a loan of KES 60,000', rule: 'large-loan', extra: {} },
    { text: 'I need a loan of 5000', rule: 'default', extra: {} },
    { text: 'ok I will pay friday', rule: 'reminder-reply', extra: { lastReceived: reminder(1) } },
    { text: 'ok I will pay friday', rule: 'default', extra: { lastReceived: reminder(4) } },
  ])('routes "$text" by rule $rule', ({ text, rule, extra }) => {
    expect(decide(book, '21513', text, extra).rule).toBe(rule)
  })

  it('answers balance with the USSD code', () => {
    const decision = decide(book, '21513', 'BALANCE')

    expect(decision.destination.kind).toBe('answer')
    expect(decision.destination).toMatchObject({ flow: 'loans' })
  })

  it('queues payment disputes for finance', () => {
    const decision = decide(book, '21513', 'dispute')

    expect(decision.priority).toBe('high')
    expect(decision.destination).toEqual({ kind: 'queue', team: 'finance' })
  })

  it.each([
    { to: '21512', program: 'clinic' },
    { to: '*384*123#', program: 'clinic' },
    { to: '+254711000123', program: 'clinic' },
    { to: '21513', program: 'loans' },
    { to: '*384*456#', program: 'loans' },
  ])('scopes short code $to to $program', ({ to, program }) => {
    expect(decide(book, to, 'hello').program).toBe(program)
  })

  it.each([
    { text: 'I have chest pain', program: 'clinic', rule: 'danger-signs' },
    { text: 'I paid but it is not reflected', program: 'loans', rule: 'payment-dispute' },
    { text: 'balance', program: 'loans', rule: 'balance' },
    { text: 'Thank you', program: 'clinic', rule: 'default' },
  ])('shares 40123: "$text" goes to $program', ({ text, program, rule }) => {
    const decision = decide(book, '40123', text)

    expect(decision.program).toBe(program)
    expect(decision.rule).toBe(rule)
  })

  it('rejects an unlisted short code', () => {
    expect(() => decide(book, '99999', 'hello')).toThrow(
      'No rules file lists short code "99999". Add it to shortCodes in a machines/*.rules.yaml ' +
        'file (listed now: 21512, 40123, *384*123#, +254711000123, 21513, *384*456#, +254711000456).',
    )
  })
})

/** Builds a rule book with one rule `hit` (the test under test) and a default rule `miss`. */
function bookWith(when: string, extra = ''): RuleBook {
  const text = `
program: sample
shortCodes: ['100']
languages: [en]
${extra}
teams: { desk: {} }
categories: { hit: {}, miss: {} }
rules:
  - id: hit
    when: ${when}
    category: hit
    queue: desk
  - id: miss
    default: true
    category: miss
    queue: desk
`
  return new RuleBook([parseRules('machines/sample.rules.yaml', text)])
}

describe('rule tests', () => {
  it.each([
    { test: '{ anyWord: [help, msaada] }', text: 'I need HELP', hit: true },
    { test: '{ anyWord: [help, msaada] }', text: 'helpful staff', hit: false },
    { test: '{ anyWord: ["bleed*"] }', text: 'Bleeding since noon', hit: true },
    { test: '{ anyWord: ["bleed*"] }', text: 'it bled', hit: false },
    { test: '{ anyWord: [chest pain] }', text: 'pain in my chest', hit: false },
    { test: '{ anyWord: [cafe] }', text: 'at the Café', hit: true },
    { test: '{ anyWord: [stop] }', text: 'ＳＴＯＰ now', hit: true },
    { test: '{ allWords: [loan, late] }', text: 'my loan payment is late', hit: true },
    { test: '{ allWords: [loan, late] }', text: 'my loan is fine', hit: false },
    { test: '{ phrase: not reflected }', text: 'Payment NOT reflected.', hit: true },
    { test: '{ phrase: not reflected }', text: 'reflected, not yet', hit: false },
    { test: '{ startsWith: balance }', text: 'Balance please', hit: true },
    { test: '{ startsWith: balance }', text: 'my balance', hit: false },
    { test: '{ startsWith: balance }', text: 'balanced diet', hit: false },
    { test: "{ pattern: '^\\d{4}$' }", text: '1234', hit: true },
    { test: "{ pattern: '^\\d{4}$' }", text: '12345', hit: false },
    { test: "{ pattern: 'ref[- ]?\\d+' }", text: 'About REF 77', hit: true },
    { test: '{ number: { min: 100, max: 500 } }', text: 'Paid 500 yesterday', hit: true },
    { test: '{ number: { min: 100, max: 500 } }', text: 'Paid 1,500', hit: false },
    { test: '{ number: { min: 100, max: 500 } }', text: 'Paid ٢٥٠', hit: true },
    { test: '{ number: { min: 100, max: 500 } }', text: 'no amount', hit: false },
    { test: '{ number: { min: 1000 } }', text: 'KES 1,500', hit: true },
    { test: '{ number: { max: 2 } }', text: 'option 2.', hit: true },
    { test: '{ not: { anyWord: [yes] } }', text: 'no thanks', hit: true },
    { test: '{ not: { anyWord: [yes] } }', text: 'yes', hit: false },
    { test: '{ all: [{ anyWord: [loan] }, { number: { min: 10 } }] }', text: 'loan 50', hit: true },
    { test: '{ all: [{ anyWord: [loan] }, { number: { min: 10 } }] }', text: 'loan', hit: false },
    {
      test: '{ any: [{ anyWord: [loan] }, { number: { min: 10 } }] }',
      text: 'it is 50',
      hit: true,
    },
    { test: '{ any: [{ anyWord: [loan] }, { number: { min: 10 } }] }', text: 'hello', hit: false },
  ])('$test on "$text" is $hit', ({ test, text, hit }) => {
    expect(decide(bookWith(test), '100', text).rule).toBe(hit ? 'hit' : 'miss')
  })

  it.each([
    { language: 'sw', hit: true },
    { language: 'en', hit: false },
    { language: undefined, hit: false },
  ])('language sw with $language is $hit', ({ language, hit }) => {
    const book = bookWith('{ language: sw }')
    expect(decide(book, '100', 'habari', { language }).rule).toBe(hit ? 'hit' : 'miss')
  })

  it.each([
    { label: 'the flow yesterday', last: { flow: 'loans', at: morning - day }, hit: true },
    {
      label: 'the flow three days ago',
      last: { flow: 'loans', at: morning - 3 * day },
      hit: false,
    },
    { label: 'another flow', last: { flow: 'clinic', at: morning - 1000 }, hit: false },
    { label: 'nothing', last: undefined, hit: false },
  ])('lastReceived after $label is $hit', ({ last, hit }) => {
    const book = bookWith('{ lastReceived: { flow: loans, within: 2d } }')
    expect(decide(book, '100', 'ok', { lastReceived: last }).rule).toBe(hit ? 'hit' : 'miss')
  })

  it.each([
    { label: '09:00 Nairobi', at: Date.parse('2025-03-03T06:00:00Z'), zone: '', hit: true },
    { label: '08:59 Nairobi', at: Date.parse('2025-03-03T05:59:00Z'), zone: '', hit: false },
    { label: '17:00 Nairobi', at: Date.parse('2025-03-03T14:00:00Z'), zone: '', hit: false },
    {
      label: '09:00 Lagos',
      at: Date.parse('2025-03-03T08:00:00Z'),
      zone: 'Africa/Lagos',
      hit: true,
    },
    {
      label: '11:00 Lagos',
      at: Date.parse('2025-03-03T10:00:00Z'),
      zone: 'Africa/Lagos',
      hit: true,
    },
    {
      label: '08:00 Lagos',
      at: Date.parse('2025-03-03T07:00:00Z'),
      zone: 'Africa/Lagos',
      hit: false,
    },
  ])('office hours at $label is $hit', ({ at, zone, hit }) => {
    const timezone = zone === '' ? '' : `, timezone: ${zone}`
    const book = bookWith(`{ timeOfDay: { from: '09:00', to: '17:00'${timezone} } }`)
    expect(decide(book, '100', 'hello', { at }).rule).toBe(hit ? 'hit' : 'miss')
  })

  it('uses the file timezone for time of day', () => {
    const book = bookWith("{ timeOfDay: { from: '09:00', to: '17:00' } }", 'timezone: Africa/Lagos')
    const tenInLagos = Date.parse('2025-03-03T09:00:00Z')
    const eightInLagos = Date.parse('2025-03-03T07:00:00Z')

    expect(decide(book, '100', 'hi', { at: tenInLagos }).rule).toBe('hit')
    expect(decide(book, '100', 'hi', { at: eightInLagos }).rule).toBe('miss')
  })

  it('picks the first matching rule', async () => {
    const program = parseRules(
      'machines/order.rules.yaml',
      `
program: order
shortCodes: ['100']
languages: [en]
teams: { desk: {}, money: {} }
categories: { first: {}, second: {}, other: {} }
rules:
  - { id: first, when: { anyWord: [pay] }, category: first, queue: money }
  - { id: second, when: { anyWord: [pay, late] }, category: second, priority: high, queue: desk }
  - { id: other, default: true, category: other, queue: desk }
`,
    )
    const facts = (text: string) => messageFacts({ matchText: text, receivedAt: morning })

    expect(program.decide(facts('pay late')).rule).toBe('first')
    expect(program.decide(facts('late again')).rule).toBe('second')
    expect(program.decide(facts('late again')).priority).toBe('high')
    expect(program.decide(facts('hello')).rule).toBe('other')
  })
})
