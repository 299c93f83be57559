import { describe, expect, it } from 'vitest'
import { parseInboundSms, type InboundSms } from '../src/messaging/inbound/parse-inbound-sms.ts'
import { normalizeMatchText } from '../src/messaging/inbound/match-text.ts'

const arrival = Date.UTC(2024, 4, 1, 10, 0, 5)
const options = { defaultCountryCode: '254' }

// Default fields, percent-encoded as Africa's Talking sends them; a case replaces only some.
const defaults: Record<string, string> = {
  from: '%2B254700000001',
  to: '40123',
  text: 'Hello',
  date: '2024-05-01%2010%3A00%3A00',
  id: 'ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3',
  linkId: '03090445075804249226',
}

/** Builds a raw form body from the defaults; `null` leaves a field out. */
function body(fields: Record<string, string | null> = {}): string {
  const merged = { ...defaults, ...fields }
  return Object.entries(merged)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
}

function parse(raw: string): InboundSms {
  const result = parseInboundSms(new URLSearchParams(raw), arrival, options)
  if (!result.ok) throw new Error(`expected a message, got ${result.problem.message}`)
  return result.value
}

function problem(raw: string) {
  const result = parseInboundSms(new URLSearchParams(raw), arrival, options)
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.value)}`)
  return result.problem
}

describe('inbound SMS text', () => {
  it.each([
    ['encoded plus kept', 'Pay%20100%2B20', 'Pay 100+20'],
    ['raw plus is space', 'Asante+sana', 'Asante sana'],
    ['Arabic-Indic digit kept', '%D9%A2', '٢'],
    ['emoji kept', 'Habari%20%F0%9F%98%80', 'Habari 😀'],
    ['encoded percent kept', '50%25%20off', '50% off'],
    ['percent sequence decoded once', '100%2525', '100%25'],
    ['Arabic text kept', '%D9%86%D8%B9%D9%85', 'نعم'],
    ['leading spaces kept', '%20%20Stop%20%20', '  Stop  '],
    ['newline kept', 'line%0Aone', 'line\none'],
  ])('%s', (_label, encoded, expected) => {
    const sms = parse(body({ text: encoded }))

    expect(sms.text).toBe(expected)
  })

  it('missing text is empty', () => {
    const sms = parse(body({ text: null }))

    expect(sms.text).toBe('')
    expect(sms.matchText).toBe('')
  })
})

describe('inbound SMS match text', () => {
  it.each([
    ['spaces collapsed and trimmed', '%20%20Stop%20%20now%20', 'Stop now'],
    ['full-width letters folded', '%EF%BC%B3%EF%BC%B4%EF%BC%AF%EF%BC%B0', 'STOP'],
    ['zero-width space removed', 'STOP%E2%80%8B', 'STOP'],
    ['byte-order mark removed', '%EF%BB%BFYes', 'Yes'],
    ['soft hyphen removed', 'can%C2%ADcel', 'cancel'],
    ['Arabic-Indic digit folded', '%D9%A2', '2'],
    ['Persian digit folded', '%DB%B2', '2'],
    ['full-width digit folded', '%EF%BC%92', '2'],
    ['no-break space collapsed', 'Yes%C2%A0%C2%A0please', 'Yes please'],
    ['tabs and newlines collapsed', 'Yes%09%0Aplease', 'Yes please'],
    ['case and punctuation kept', 'Stop.%20Thank%20you', 'Stop. Thank you'],
    ['emoji kept', 'Habari%20%F0%9F%98%80', 'Habari 😀'],
  ])('%s', (_label, encoded, expected) => {
    const sms = parse(body({ text: encoded }))

    expect(sms.matchText).toBe(expected)
  })

  it('normalising twice changes nothing', () => {
    const once = normalizeMatchText(' ＳＴＯＰ\u200b  ٢ ')

    expect(normalizeMatchText(once)).toBe(once)
  })
})

describe('inbound SMS sender', () => {
  it.each([
    ['encoded plus', '%2B254700000001'],
    ['raw plus decoded as space', '+254700000001'],
    ['no plus', '254700000001'],
    ['local form', '0700000001'],
    ['country code and trunk zero', '%2B2540700000001'],
  ])('%s is E.164', (_label, from) => {
    const sms = parse(body({ from }))

    expect(sms.from).toBe('+254700000001')
  })

  it('short code kept as sent', () => {
    const sms = parse(body({ to: '40123' }))

    expect(sms.to).toBe('40123')
  })
})

describe('inbound SMS date', () => {
  it.each([
    ['ISO with Z', '2017-05-03T06%3A04%3A45Z', Date.UTC(2017, 4, 3, 6, 4, 45)],
    ['space form is UTC', '2017-05-03%2006%3A04%3A45', Date.UTC(2017, 4, 3, 6, 4, 45)],
    ['raw plus as space is UTC', '2017-05-03+06%3A04%3A45', Date.UTC(2017, 4, 3, 6, 4, 45)],
    ['fraction kept', '2017-05-03T06%3A04%3A45.250Z', Date.UTC(2017, 4, 3, 6, 4, 45, 250)],
    ['offset applied', '2017-05-03T09%3A04%3A45%2B03%3A00', Date.UTC(2017, 4, 3, 6, 4, 45)],
    ['invalid day uses arrival', '2024-02-30%2010%3A00%3A00', arrival],
    ['invalid hour uses arrival', '2024-05-01%2025%3A00%3A00', arrival],
    ['garbage uses arrival', 'yesterday', arrival],
    ['empty uses arrival', '', arrival],
  ])('%s', (_label, date, expected) => {
    const sms = parse(body({ date }))

    expect(sms.receivedAt).toBe(expected)
  })

  it('missing date uses arrival', () => {
    const sms = parse(body({ date: null }))

    expect(sms.receivedAt).toBe(arrival)
  })
})

describe('inbound SMS ids', () => {
  it('full message from reference example', () => {
    const raw =
      'linkId=03090445075804249226&text=Msg&to=21512&id=ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3&date=2017-05-03T06%3A04%3A45Z&from=%2B254700000001&networkCode=63902'

    expect(parse(raw)).toEqual({
      id: 'africastalking:ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3',
      provider: 'africastalking',
      providerId: 'ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3',
      from: '+254700000001',
      to: '21512',
      text: 'Msg',
      matchText: 'Msg',
      receivedAt: Date.UTC(2017, 4, 3, 6, 4, 45),
      linkId: '03090445075804249226',
      networkCode: '63902',
    })
  })

  it('empty linkId is left out', () => {
    const sms = parse(body({ linkId: '' }))

    expect(sms).not.toHaveProperty('linkId')
  })
})

describe('inbound SMS rejected', () => {
  it.each([
    ['missing id', { id: null }, /^id is missing\. Send id, from, to/],
    ['empty id', { id: '' }, /^id is empty\./],
    ['long id', { id: 'x'.repeat(129) }, /^id is longer than 128 characters\./],
    ['missing from', { from: null }, /^from is missing\./],
    ['missing to', { to: null }, /^to is missing\./],
    ['sender not a number', { from: 'abc' }, /^from "abc" is not a phone number\. Send it in/],
    ['sender too short', { from: '07000' }, /^from "07000" is not a phone number\./],
  ])('%s is 400', (_label, fields, message) => {
    const result = problem(body(fields))

    expect(result.status).toBe(400)
    expect(result.message).toMatch(message)
  })
})
