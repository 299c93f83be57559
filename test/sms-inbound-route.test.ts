import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSmsInboundRoute } from '../src/channels/africastalking/sms-inbound-route.ts'
import { createLogger } from '../src/logger.ts'
import type { InboundStore } from '../src/messaging/inbound/inbound-store.ts'
import { parseInboundSms } from '../src/messaging/inbound/parse-inbound-sms.ts'
import type { AcknowledgingRouter } from '../src/messaging/routing/acknowledging-router.ts'
import { StoreUnavailableError } from '../src/store/session-store.ts'
import { acknowledgingRouter, postSms, smsFields } from './support/inbound-sms.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

type Board = Awaited<ReturnType<typeof createTestSwitchboard>>

const start = Date.UTC(2025, 2, 3, 7, 0, 0)

function without(fields: Record<string, string>, name: string): Record<string, string> {
  const copy = { ...fields }
  delete copy[name]
  return copy
}

describe.each(['memory', 'redis'] as const)('inbound SMS route on %s', (store) => {
  let board: Board
  let clock: number

  beforeEach(async () => {
    clock = start
    board = await createTestSwitchboard({
      store,
      overrides: { now: () => clock, router: acknowledgingRouter() },
    })
  })

  afterEach(async () => {
    await board.sms.close()
    await board.messaging.close()
    await board.close()
  })

  const router = () => board.sms.router as AcknowledgingRouter
  const acknowledgements = () =>
    board.effects.sent.filter((effect) => effect.idempotencyKey.endsWith(':ack'))

  it.each<[string, () => Parameters<typeof postSms>, number, RegExp]>([
    ['missing id', () => [board.app, without(smsFields(), 'id')], 400, /id is missing/],
    ['missing from', () => [board.app, without(smsFields(), 'from')], 400, /from is missing/],
    ['invalid from', () => [board.app, smsFields({ from: 'hello' })], 400, /not a phone number/],
    [
      'field sent twice',
      () => [board.app, 'id=a&id=b&from=%2B254700000001&to=40400&text=hi'],
      400,
      /"id" appears more than once/,
    ],
    [
      'JSON body',
      () => [board.app, JSON.stringify(smsFields()), 'application/json'],
      415,
      /not supported/,
    ],
    [
      'body over 8 KB',
      () => [board.app, smsFields({ text: 'x'.repeat(9000) })],
      413,
      /larger than 8192 bytes/,
    ],
  ])('rejects %s', async (_label, request, status, message) => {
    const response = await postSms(...request())

    expect(response.status).toBe(status)
    expect(response.text).toMatch(message)
    expect(router().recent()).toHaveLength(0)
  })

  it('rejects other methods with 405', async () => {
    const response = await board.app.request('/africastalking/sms', { method: 'GET' })

    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
  })

  it('stores a message before acknowledging it', async () => {
    const fields = smsFields({ text: 'Where is my parcel?' })
    const response = await postSms(board.app, fields)

    expect(response).toEqual({ status: 200, text: 'OK' })
    const stored = await board.sms.inbound.get(`africastalking:${fields.id}`)
    expect(stored?.message.text).toBe('Where is my parcel?')
    expect(stored?.outcome).toMatch(/^routed:MSG-[0-9A-Z]{6}$/)
  })

  it('handles a repeated id once', async () => {
    const fields = smsFields({ text: 'Where is my parcel?' })

    const first = await postSms(board.app, fields)
    const second = await postSms(board.app, fields)

    expect(first.status).toBe(200)
    expect(second.status).toBe(200)
    expect(router().recent()).toHaveLength(1)
    expect(acknowledgements()).toHaveLength(1)
  })

  it('handles a stored message that was never handled', async () => {
    const fields = smsFields({ text: 'Where is my parcel?' })
    const parsed = parseInboundSms(new URLSearchParams(fields), clock, {
      defaultCountryCode: '254',
    })
    if (!parsed.ok) throw new Error(parsed.problem.message)
    await board.sms.inbound.saveIfNew(parsed.value)

    const soon = await postSms(board.app, fields)
    clock += 21_000
    const later = await postSms(board.app, fields)

    expect(soon.status).toBe(503)
    expect(later.status).toBe(200)
    expect(router().recent()).toHaveLength(1)
    const stored = await board.sms.inbound.get(`africastalking:${fields.id}`)
    expect(stored?.outcome).toMatch(/^routed:/)
  })

  it.each([
    ['an encoded plus', 'text=Pay%20100%2B20', 'Pay 100+20'],
    ['a plus as space', 'text=Asante+sana', 'Asante sana'],
    ['an Arabic-Indic digit', 'text=%D9%A2', '٢'],
    ['an emoji', 'text=Habari%20%F0%9F%98%80', 'Habari 😀'],
    ['an encoded percent', 'text=50%25%20off', '50% off'],
  ])('keeps %s in the stored and routed text', async (_label, textField, expected) => {
    const id = `in-encoding-${textField.length}-${expected.length}`
    const body = `id=${id}&from=%2B254700000001&to=40400&date=2025-03-03T07%3A00%3A00Z&${textField}`

    expect((await postSms(board.app, body)).status).toBe(200)

    const stored = await board.sms.inbound.get(`africastalking:${id}`)
    expect(stored?.message.text).toBe(expected)
    expect(router().recent()[0]?.message.text).toBe(expected)
  })

  it('normalises a sender sent with a raw plus', async () => {
    const body = 'id=in-raw-plus&from=+254700000001&to=40400&text=Hello'

    expect((await postSms(board.app, body)).status).toBe(200)

    const stored = await board.sms.inbound.get('africastalking:in-raw-plus')
    expect(stored?.message.from).toBe('+254700000001')
    expect(router().recent()[0]?.message.from).toBe('+254700000001')
  })
})

describe('inbound SMS route with its store down', () => {
  const logger = createLogger({ level: 'silent' })
  const down = async () => {
    throw new StoreUnavailableError('Redis command failed: connection refused')
  }
  const brokenStore: InboundStore = {
    saveIfNew: down,
    get: down,
    markHandled: down,
    close: async () => {},
  }

  it('answers 503 so the message is sent again', async () => {
    let handled = 0
    const app = createSmsInboundRoute({
      inbound: brokenStore,
      handler: { handle: async () => `handled ${++handled}` },
      logger,
      defaultCountryCode: '254',
    })

    const response = await postSms(app, smsFields({ text: 'Hello' }))

    expect(response.status).toBe(503)
    expect(handled).toBe(0)
  })
})
