import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { maskMsisdn, normalizeMsisdn } from '../src/text/phone.ts'
import { walletBackend } from './fixtures/flows/wallet-backend.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { walk } from './support/ussd-client.ts'

const subscriber = '+254700000001'
const mainMenu = 'CON Welcome\n1. Check balance\n2. Send money\n3. Register'
const balance = 'END Your balance is KES 100'
const invalidPhone = 'CON Invalid phone number.\nEnter recipient phone\n0. Back'

describe('normalizeMsisdn', () => {
  it.each([
    ['E.164', '+254700000001'],
    ['country code without plus', '254700000001'],
    ['local form', '0700000001'],
    ['country code and trunk zero', '+2540700000001'],
    ['plus decoded as a space', ' 254700000001'],
    ['international prefix', '00254700000001'],
    ['spaces', '+254 700 000 001'],
    ['dashes', '+254-700-000-001'],
    ['dots', '+254.700.000.001'],
    ['brackets', '(0700) 000-001'],
    ['national number only', '700000001'],
    ['surrounding whitespace', '\t+254700000001\n'],
    ['spaced trunk zero', '254 0700 000 001'],
  ])('reads %s', (_label, raw) => {
    expect(normalizeMsisdn(raw, '254')).toBe(subscriber)
  })

  it.each([
    ['Tanzania', '+255712345678', '+255712345678'],
    ['Nigeria', '+2348012345678', '+2348012345678'],
    ['South Africa', '+27821234567', '+27821234567'],
    ['local form in Tanzania', '0712345678', '+255712345678'],
    ['the United States, plus decoded as a space', ' 12025550100', '+12025550100'],
    ['the United Kingdom, with a zero after the code', '+442071234567', '+442071234567'],
    ['the United Kingdom, plus decoded as a space', ' 442071234567', '+442071234567'],
  ])('reads a number from %s', (_label, raw, expected) => {
    const country = raw.startsWith('0') ? '255' : '254'

    expect(normalizeMsisdn(raw, country)).toBe(expected)
  })

  it.each([
    ['too short', '07000'],
    ['letters', 'abc'],
    ['empty', ''],
    ['plus only', '+'],
    ['zeros only', '00'],
    ['cut off', '+254 70'],
    ['one digit too many', '2547000000011'],
    ['letters after the code', '+254abc'],
    ['two plus signs', '+254+700000001'],
  ])('rejects %s', (_label, raw) => {
    expect(normalizeMsisdn(raw, '254')).toBeNull()
  })

  it('masks all but the code and last digits', () => {
    expect(maskMsisdn(subscriber)).toBe('+254*****001')
  })
})

describe('phone numbers over HTTP', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let counter = 0
  const nextSessionId = () => {
    counter += 1
    return `ATUid_phones_${counter}`
  }

  /** Sends a form body exactly as written, so a bare `+` reaches the parser unencoded. */
  async function sendRaw(body: string) {
    const response = await switchboard.app.request('/africastalking/ussd', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    return { status: response.status, body: await response.text() }
  }

  const rawForm = (sessionId: string, phone: string, text: string) =>
    `sessionId=${sessionId}&serviceCode=%2A384%2A123%23&phoneNumber=${phone}&networkCode=63902&text=${text}`

  beforeAll(async () => {
    switchboard = await createTestSwitchboard({ store: 'redis' })
  })

  afterAll(async () => {
    await switchboard.close()
  })

  beforeEach(() => {
    walletBackend.reset()
  })

  const formVariants = [
    ['country code without plus', '254700000001'],
    ['local form', '0700000001'],
    ['country code and trunk zero', '+2540700000001'],
    ['plus decoded as a space', ' 254700000001'],
    ['spaces', '+254 700 000 001'],
  ]
  const rawVariants = [
    ['unencoded plus', '+254700000001'],
    ['percent-encoded plus', '%2B254700000001'],
  ]

  it.each(formVariants)('continues a session from the %s', async (_label, phoneNumber) => {
    const sessionId = nextSessionId()
    const first = await switchboard.hop({ sessionId, phoneNumber: subscriber, text: '' })
    const second = await switchboard.hop({ sessionId, phoneNumber, text: '1' })

    expect(first.body).toBe(mainMenu)
    expect(second.body).toBe(balance)
  })

  it.each(rawVariants)('continues a session from the %s', async (_label, phone) => {
    const sessionId = nextSessionId()
    const first = await switchboard.hop({ sessionId, phoneNumber: subscriber, text: '' })
    const second = await sendRaw(rawForm(sessionId, phone, '1'))

    expect(first.body).toBe(mainMenu)
    expect(second.status).toBe(200)
    expect(second.body).toBe(balance)
  })

  it.each([...formVariants, ...rawVariants])('stores the %s as E.164', async (label, phone) => {
    const sessionId = nextSessionId()
    const isRaw = rawVariants.some(([rawLabel]) => rawLabel === label)
    const reply = isRaw
      ? await sendRaw(rawForm(sessionId, phone, ''))
      : await switchboard.hop({ sessionId, phoneNumber: phone, text: '' })

    expect(reply.body).toBe(mainMenu)
    const record = await switchboard.store.load(`africastalking:${sessionId}`)
    expect(record?.msisdn).toBe(subscriber)
  })

  it('continues from the local form after a raw plus', async () => {
    const sessionId = nextSessionId()
    const first = await sendRaw(rawForm(sessionId, '+254700000001', ''))
    const second = await switchboard.hop({ sessionId, phoneNumber: '0700000001', text: '2' })

    expect(first.body).toBe(mainMenu)
    expect(second.body).toBe('CON Enter recipient phone\n0. Back')
  })

  it.each([
    ['local form', '0700000002'],
    ['spaced E.164', '+254 700 000 002'],
    ['country code without plus', '254700000002'],
    ['dashes', '0700-000-002'],
  ])('pays a recipient typed in %s', async (_label, recipient) => {
    const sessionId = nextSessionId()
    const texts = ['2', `2*${recipient}`, `2*${recipient}*500`, `2*${recipient}*500*1`]
    const bodies = await walk(switchboard.hop, sessionId, texts)

    expect(bodies[2]).toBe('CON Send KES 500 to +254700000002?\n1. Confirm\n0. Back')
    expect(bodies[3]).toBe('END Sent. You will get an SMS.')
    expect(walletBackend.payments.map((payment) => payment.to)).toEqual(['+254700000002'])
    const sms = switchboard.effects.sent.filter(
      (effect) => effect.sessionKey === `africastalking:${sessionId}`,
    )
    expect(sms.map((effect) => effect.to)).toEqual([subscriber])
    expect(sms[0]?.text).toBe('You sent KES 500 to +254700000002.')
  })

  it.each([
    ['too short', '07000'],
    ['letters', 'abc'],
    ['cut off', '+254 70'],
  ])('re-prompts for a recipient %s', async (_label, recipient) => {
    const sessionId = nextSessionId()
    const bodies = await walk(switchboard.hop, sessionId, ['2', `2*${recipient}`])

    expect(bodies[1]).toBe(invalidPhone)
    const record = await switchboard.store.load(`africastalking:${sessionId}`)
    expect(record?.value).toBe('recipient')
  })

  it('accepts an unknown network code', async () => {
    const sessionId = nextSessionId()
    const reply = await switchboard.hop({ sessionId, networkCode: '99999', text: '' })

    expect(reply.status).toBe(200)
    expect(reply.body).toBe(mainMenu)
    const requestLine = switchboard.logs.lines.find(
      (line) =>
        line['msg'] === 'request' &&
        (line['body'] as Record<string, string> | undefined)?.['sessionId'] === sessionId,
    )
    const logged = requestLine?.['body'] as Record<string, string> | undefined
    expect(logged?.['networkCode']).toBe('99999')
  })

  it('masks the phone number in every log line', async () => {
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, ['', '2', '2*0700000002'])

    const lines = switchboard.logs.raw.filter((line) => line.includes(sessionId))
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line).not.toContain('700000001')
      expect(line).not.toContain('700000002')
    }
  })
})
