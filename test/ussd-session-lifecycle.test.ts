import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { walletBackend } from './fixtures/flows/wallet-backend.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

type Board = Awaited<ReturnType<typeof createTestSwitchboard>>

const stores = ['memory', 'redis'] as const
const endFields = {
  serviceCode: '*384*123#',
  phoneNumber: '+254700000001',
  networkCode: '63902',
  date: '2025-09-29 12:00:00',
  durationInMillis: '62000',
  hopsCount: '3',
  cost: 'KES 0.10',
}

/** A clock the tests move by hand; the app, the drafts and the timers all read it. */
function manualClock(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
  const clock = { now: start, advance: (ms: number) => (clock.now += ms) }
  return clock
}

async function sendEnd(board: Board, fields: Record<string, string>) {
  const response = await board.app.request('/africastalking/ussd/events', {
    method: 'POST',
    body: new URLSearchParams({ ...endFields, ...fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  return { status: response.status, body: await response.text() }
}

async function walkTexts(board: Board, sessionId: string, texts: string[]) {
  const bodies: string[] = []
  for (const text of texts) bodies.push((await board.hop({ sessionId, text })).body)
  return bodies
}

beforeEach(() => walletBackend.reset())

describe.each(stores)('dropped sessions on %s', (store) => {
  let board: Board
  const clock = manualClock()

  beforeEach(async () => {
    board = await createTestSwitchboard({ store, overrides: { now: () => clock.now } })
  })
  afterEach(() => board.close())

  it('sends one SMS and offers to continue', async () => {
    await walkTexts(board, 'ATUid_drop', ['3', '3*Jane Doe'])

    const notice = {
      sessionId: 'ATUid_drop',
      status: 'Failed',
      input: '3*Jane Doe',
      lastAppResponse: 'CON Enter a 4-digit PIN',
      errorMessage: 'Session timed out',
    }
    expect(await sendEnd(board, notice)).toEqual({ status: 200, body: 'OK' })
    expect(await sendEnd(board, notice)).toEqual({ status: 200, body: 'OK' })

    expect(board.effects.sent.map((effect) => [effect.to, effect.text])).toEqual([
      [
        '+254700000001',
        'Your registration on *384*123# was not finished, so nothing was done. Dial *384*123# within 10 minutes to continue where you stopped.',
      ],
    ])

    clock.advance(60_000)
    const resumed = await walkTexts(board, 'ATUid_drop_b', ['', '1', '1*4321'])
    expect(resumed).toEqual([
      'CON You have an unfinished registration.\n1. Continue\n2. Start over',
      'CON Enter a 4-digit PIN\n0. Back',
      'END Registered',
    ])
    expect(board.effects.sent.at(-1)?.text).toBe('Welcome, Jane Doe. You are registered.')
  })

  it('starts over when asked', async () => {
    await walkTexts(board, 'ATUid_over', ['3', '3*Jane Doe'])
    await sendEnd(board, { sessionId: 'ATUid_over', status: 'Incomplete' })

    const bodies = await walkTexts(board, 'ATUid_over_b', ['', '2'])
    expect(bodies[1]).toBe('CON Welcome\n1. Check balance\n2. Send money\n3. Register')

    const later = await walkTexts(board, 'ATUid_over_c', [''])
    expect(later[0]).toBe('CON Welcome\n1. Check balance\n2. Send money\n3. Register')
  })

  it('offers nothing after the resume window', async () => {
    await walkTexts(board, 'ATUid_window', ['3', '3*Jane Doe'])
    await sendEnd(board, { sessionId: 'ATUid_window', status: 'Incomplete' })

    clock.advance(11 * 60_000)
    const bodies = await walkTexts(board, 'ATUid_window_b', [''])
    expect(bodies[0]).toBe('CON Welcome\n1. Check balance\n2. Send money\n3. Register')
  })

  it('re-offers after an invalid answer', async () => {
    await walkTexts(board, 'ATUid_offer', ['3', '3*Jane Doe'])
    await sendEnd(board, { sessionId: 'ATUid_offer', status: 'Failed' })

    const bodies = await walkTexts(board, 'ATUid_offer_b', ['', '7', '7*1'])
    expect(bodies[1]).toBe(
      'CON Invalid choice.\nYou have an unfinished registration.\n1. Continue\n2. Start over',
    )
    expect(bodies[2]).toBe('CON Enter a 4-digit PIN\n0. Back')
  })

  it('says a transfer was not sent', async () => {
    const texts = ['2', '2*0700000002', '2*0700000002*500']
    await walkTexts(board, 'ATUid_confirm', texts)
    await sendEnd(board, {
      sessionId: 'ATUid_confirm',
      status: 'Failed',
      input: texts[2] as string,
    })
    await sendEnd(board, {
      sessionId: 'ATUid_confirm',
      status: 'Failed',
      input: texts[2] as string,
    })

    expect(board.effects.sent.map((effect) => effect.text)).toEqual([
      'Your transfer of KES 500 to +254700000002 was NOT sent. Dial *384*123# within 10 minutes to finish it.',
    ])
    expect(walletBackend.payments).toEqual([])
  })

  it('stays quiet for a finished session', async () => {
    await walkTexts(board, 'ATUid_success', ['', '1'])
    expect(await sendEnd(board, { sessionId: 'ATUid_success', status: 'Success' })).toEqual({
      status: 200,
      body: 'OK',
    })
    expect(board.effects.sent).toEqual([])
  })

  it('stays quiet on the first screen', async () => {
    await walkTexts(board, 'ATUid_menu', [''])
    await sendEnd(board, { sessionId: 'ATUid_menu', status: 'Incomplete' })

    expect(board.effects.sent).toEqual([])
    const next = await walkTexts(board, 'ATUid_menu_b', [''])
    expect(next[0]).toBe('CON Welcome\n1. Check balance\n2. Send money\n3. Register')
  })

  it('ignores a notice from another number', async () => {
    await walkTexts(board, 'ATUid_other', ['3', '3*Jane Doe'])
    await sendEnd(board, {
      sessionId: 'ATUid_other',
      status: 'Failed',
      phoneNumber: '+254700000003',
    })
    expect(board.effects.sent).toEqual([])
  })

  it('rejects a notice without a session id', async () => {
    const reply = await sendEnd(board, { status: 'Failed' })
    expect(reply.status).toBe(400)
    expect(reply.body).toBe(
      'sessionId is missing. Send sessionId, phoneNumber and status as form fields.',
    )
  })
})

describe.each(stores)('silent sessions on %s', (store) => {
  it('drops a session nobody ended', async () => {
    const clock = manualClock()
    const board = await createTestSwitchboard({
      store,
      environment: { USSD_DROP_AFTER_SECONDS: '180' },
      overrides: { now: () => clock.now },
    })
    await walkTexts(board, 'ATUid_silent', ['3', '3*Jane Doe'])

    clock.advance(179_000)
    expect(await board.timers.runOnce()).toBe(0)
    clock.advance(2_000)
    expect(await board.timers.runOnce()).toBe(1)
    await sendEnd(board, { sessionId: 'ATUid_silent', status: 'Incomplete' })

    expect(board.effects.sent).toHaveLength(1)
    expect(board.effects.sent[0]?.text).toContain('Your registration on *384*123# was not finished')
    await board.close()
  })

  it('keeps a session that moved on', async () => {
    const clock = manualClock()
    const board = await createTestSwitchboard({ store, overrides: { now: () => clock.now } })
    await walkTexts(board, 'ATUid_moved', ['3'])
    clock.advance(100_000)
    await walkTexts(board, 'ATUid_moved', ['3*Jane Doe'])

    clock.advance(100_000)
    await board.timers.runOnce()
    expect(board.effects.sent).toEqual([])
    await board.close()
  })
})

describe.each(stores)('slow backend on %s', (store) => {
  let board: Board

  beforeEach(async () => {
    board = await createTestSwitchboard({ store, environment: { HOP_BUDGET_MS: '200' } })
  })
  afterEach(() => board.close())

  it('answers now and sends the result once', async () => {
    walletBackend.balanceDelayMs = 800

    const first = await board.hop({ sessionId: 'ATUid_slow', text: '1' })
    const retried = await board.hop({ sessionId: 'ATUid_slow', text: '1' })
    await board.engine.idle()
    const late = await board.hop({ sessionId: 'ATUid_slow', text: '1' })

    const processing = 'END We are processing your request. You will receive an SMS shortly.'
    expect(first.body).toBe(processing)
    expect(retried.body).toBe(processing)
    expect(late.body).toBe(processing)
    expect(board.effects.sent.map((effect) => [effect.to, effect.text])).toEqual([
      ['+254700000001', 'Your balance is KES 100'],
    ])
  })

  it('sends the failure once', async () => {
    walletBackend.balanceDelayMs = 800
    walletBackend.balanceFails = true

    const first = await board.hop({ sessionId: 'ATUid_slow_fail', text: '1' })
    await board.engine.idle()

    expect(first.body).toBe('END We are processing your request. You will receive an SMS shortly.')
    expect(board.effects.sent.map((effect) => effect.text)).toEqual([
      'Sorry, we could not get your balance. Please try again later.',
    ])
  })

  it('answers a fast backend on screen', async () => {
    const reply = await board.hop({ sessionId: 'ATUid_fast', text: '1' })
    await board.engine.idle()

    expect(reply.body).toBe('END Your balance is KES 100')
    expect(board.effects.sent).toEqual([])
  })
})

describe.each(stores)('flow timers on %s', (store) => {
  const reminderCode = { serviceCode: '*384*302#' }

  it('fires once after a restart', async () => {
    const clock = manualClock()
    const first = await createTestSwitchboard({ store, overrides: { now: () => clock.now } })
    const shared = store === 'memory' ? { store: first.store } : {}
    await first.hop({ ...reminderCode, sessionId: 'ATUid_timer', text: '' })

    // A second Switchboard on the same store stands for the process after a restart.
    const environment = { REDIS_KEY_PREFIX: first.keyPrefix }
    const second = await createTestSwitchboard({
      store,
      environment: store === 'redis' ? environment : {},
      overrides: { now: () => clock.now, ...shared },
    })

    clock.advance(59_000)
    await second.timers.runOnce()
    expect(second.effects.sent).toEqual([])

    clock.advance(2_000)
    await second.timers.runOnce()
    await second.timers.runOnce()
    expect(second.effects.sent.map((effect) => effect.text)).toEqual([
      'Reminder: please tell us if you will attend on Monday. Dial *384*302#.',
    ])
    await first.close()
    await second.close()
  })

  it('drops a timer the answer made stale', async () => {
    const clock = manualClock()
    const board = await createTestSwitchboard({ store, overrides: { now: () => clock.now } })
    await board.hop({ ...reminderCode, sessionId: 'ATUid_answered', text: '' })
    const answered = await board.hop({ ...reminderCode, sessionId: 'ATUid_answered', text: '1' })

    clock.advance(61_000)
    await board.timers.runOnce()

    expect(answered.body).toBe('END Thank you.')
    expect(board.effects.sent).toEqual([])
    await board.close()
  })
})
