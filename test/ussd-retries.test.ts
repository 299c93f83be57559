import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { walletBackend } from './fixtures/flows/wallet-backend.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { walk } from './support/ussd-client.ts'

const toConfirm = ['', '2', '2*0700000002', '2*0700000002*500']
const confirmText = '2*0700000002*500*1'
const sent = 'END Sent. You will get an SMS.'
const notYourSession = 'END Sorry, this session is not available. Please dial *384*123# again.'

describe.each(['memory', 'redis'] as const)('USSD retries (%s store)', (store) => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let counter = 0
  const nextSessionId = () => {
    counter += 1
    return `ATUid_retries_${counter}`
  }

  beforeAll(async () => {
    switchboard = await createTestSwitchboard({ store })
  })

  afterAll(async () => {
    await switchboard.close()
  })

  beforeEach(() => {
    walletBackend.reset()
    switchboard.effects.sent.length = 0
  })

  afterEach(() => {
    vi.restoreAllMocks()
  })

  const repeatedTexts = [
    ['main menu', ['', '']],
    ['recipient screen', ['', '2', '2']],
    ['rejected amount', ['2', '2*0700000002', '2*0700000002*abc', '2*0700000002*abc']],
    ['stopped shortcut dial', ['2*0700000002*500*1', '2*0700000002*500*1']],
    ['final reply', ['1', '1']],
  ] as const

  it.each(repeatedTexts)('repeats the reply for the %s', async (_label, texts) => {
    const bodies = await walk(switchboard.hop, nextSessionId(), texts)

    expect(bodies.at(-1)).toBe(bodies.at(-2))
  })

  it('pays once for a repeated confirm', async () => {
    const pay = vi.spyOn(walletBackend, 'pay')
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, toConfirm)

    const first = await switchboard.hop({ sessionId, text: confirmText })
    const retry = await switchboard.hop({ sessionId, text: confirmText })

    expect(first.body).toBe(sent)
    expect(retry.body).toBe(first.body)
    expect(retry.status).toBe(200)
    expect(pay).toHaveBeenCalledTimes(1)
    expect(walletBackend.payments).toHaveLength(1)
    expect(switchboard.effects.sent).toHaveLength(1)
  })

  it('pays once for concurrent confirms', async () => {
    const pay = vi.spyOn(walletBackend, 'pay')
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, toConfirm)

    const replies = await Promise.all(
      Array.from({ length: 5 }, () => switchboard.hop({ sessionId, text: confirmText })),
    )

    for (const reply of replies) {
      expect(reply.status).toBe(200)
      expect(reply.body).toBe(sent)
    }
    // Hops that raced each other may each call the backend, but always with one idempotency key.
    const keys = new Set(pay.mock.calls.map(([payment]) => payment.idempotencyKey))
    expect(keys.size).toBe(1)
    expect(walletBackend.payments).toHaveLength(1)
    expect(switchboard.effects.sent).toHaveLength(1)
  })

  it('keeps a session from another phone', async () => {
    const sessionId = nextSessionId()
    const intruder = { sessionId, phoneNumber: '+254700000003' }
    await walk(switchboard.hop, sessionId, ['', '2'])

    const repeated = await switchboard.hop({ ...intruder, text: '2' })
    const advanced = await switchboard.hop({ ...intruder, text: '2*0700000009' })
    const owner = await switchboard.hop({ sessionId, text: '2*0700000002' })

    expect(repeated.status).toBe(200)
    expect(repeated.body).toBe(notYourSession)
    expect(advanced.body).toBe(notYourSession)
    expect(owner.body).toBe('CON Enter amount\n0. Back')
    const record = await switchboard.store.load(`africastalking:${sessionId}`)
    expect(record?.msisdn).toBe('+254700000001')
    expect(record?.context['recipient']).toBe('+254700000002')
  })

  it('logs a session id reused by another phone', async () => {
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, [''])

    await switchboard.hop({ sessionId, phoneNumber: '+254700000003', text: '1' })

    const warning = switchboard.logs.lines.find(
      (line) =>
        line['sessionId'] === sessionId &&
        line['msg'] === 'session id reused by another phone number',
    )
    expect(warning?.['owner']).toBe('+254*****001')
    expect(warning?.['msisdn']).toBe('+254*****003')
  })

  it('hides a confirm screen from another phone', async () => {
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, toConfirm)

    const intruder = await switchboard.hop({
      sessionId,
      phoneNumber: '+254700000003',
      text: confirmText,
    })

    expect(intruder.body).toBe(notYourSession)
    expect(walletBackend.payments).toEqual([])
  })
})
