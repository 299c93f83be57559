import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clinicData } from '../machines/example-data/clinic-data.ts'
import { startFakeAfricasTalking, type FakeAfricasTalking } from './support/fake-africastalking.ts'
import { acknowledgingRouter, reply } from './support/inbound-sms.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { waitFor } from './support/wait-for.ts'

type Board = Awaited<ReturnType<typeof createTestSwitchboard>>

const monday = new Date('2025-03-03T07:00:00Z')
const caller = '+254700000001'
const token = 'test-token-0123456789abcdef'
const hour = 60 * 60 * 1000
const appointment = {
  reference: 'AP1001',
  clinic: 'Mathare North Health Centre',
  day: 'Wed 5 Mar',
  time: '09:00',
}
const reminderText =
  'Reminder: your appointment at Mathare North Health Centre on Wed 5 Mar at 09:00.\n' +
  'Reply 1 for Confirm, 2 for Cancel, 3 for Reschedule.'

async function closeBoard(board: Board) {
  await board.sms.close()
  await board.messaging.close()
  await board.close()
}

/** Books the appointment the reminder is about: Mathare North, Wednesday 5 March, 09:00. */
function bookAppointment() {
  clinicData.book({
    msisdn: caller,
    clinicId: 'C05',
    date: '2025-03-05',
    time: '09:00',
    idempotencyKey: 'seed',
  })
}

async function startFlow(
  board: Board,
  body: unknown,
  options: { flowId?: string; authorization?: string; contentType?: string } = {},
) {
  const response = await board.app.request(
    `/api/flows/${options.flowId ?? 'clinic-reminder'}/start`,
    {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: {
        'content-type': options.contentType ?? 'application/json',
        authorization: options.authorization ?? `Bearer ${token}`,
      },
    },
  )
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe.each(['memory', 'redis'] as const)(
  "clinic reminder at a fake Africa's Talking on %s",
  (store) => {
    let fake: FakeAfricasTalking
    let board: Board
    let clock: number

    beforeEach(async () => {
      clinicData.reset({ now: () => monday })
      bookAppointment()
      clock = monday.getTime()
      fake = await startFakeAfricasTalking()
      board = await createTestSwitchboard({
        flowsDir: 'machines',
        store,
        realSms: true,
        environment: {
          AT_USERNAME: fake.username,
          AT_API_KEY: fake.apiKey,
          AT_API_URL: fake.url,
          API_TOKEN: token,
        },
        overrides: { now: () => clock, router: acknowledgingRouter() },
      })
      board.messaging.worker.start()
    })

    afterEach(async () => {
      await closeBoard(board)
      await fake.close()
    })

    const messages = () => fake.sends().map((request) => request.form['message'])
    const sent = (count: number) => waitFor(() => fake.sends().length >= count, `${count} SMS`)

    it('cancels on 2 and offers free times', async () => {
      const started = await startFlow(board, { to: caller, context: appointment })
      expect(started.status).toBe(202)
      await sent(1)
      expect(messages()).toEqual([reminderText])

      expect(await reply(board.app, caller, '2', '40123')).toBe(200)
      await sent(2)

      expect(messages()[1]).toBe(
        'Your appointment on Wed 5 Mar at 09:00 is cancelled. To book another time:\n' +
          'Reply 1 for Tue 4 Mar 08:00, 2 for Tue 4 Mar 09:00, 3 for Tue 4 Mar 10:00, ' +
          '4 for Tue 4 Mar 11:00.',
      )
      expect(clinicData.appointment(caller, 'AP1001').status).toBe('cancelled')
      expect(clinicData.freeSlots('C05', '2025-03-05')).toContain('09:00')
    })

    it('books the free time picked after cancelling', async () => {
      await startFlow(board, { to: caller, context: appointment })
      await sent(1)
      await reply(board.app, caller, '2', '40123')
      await sent(2)

      await reply(board.app, caller, '2', '40123')
      await sent(3)

      expect(messages()[2]).toBe(
        'Booked: Mathare North Health Centre, Tue 4 Mar 09:00. Ref AP1002.',
      )
      expect(clinicData.upcomingAppointment(caller)).toMatchObject({
        reference: 'AP1002',
        date: '2025-03-04',
        time: '09:00',
      })
    })

    it('confirms on 1', async () => {
      await startFlow(board, { to: caller, context: appointment })
      await sent(1)
      await reply(board.app, caller, '1', '40123')
      await sent(2)

      expect(messages()[1]).toBe(
        'Thank you. We expect you at Mathare North Health Centre on Wed 5 Mar at 09:00.',
      )
      expect(clinicData.appointment(caller, 'AP1001').status).toBe('confirmed')
    })

    it('sends one reminder when nobody answers', async () => {
      await startFlow(board, { to: caller, context: appointment })
      await sent(1)

      clock += 24 * hour - 1000
      expect(await board.timers.runOnce()).toBe(0)
      clock += 1000
      expect(await board.timers.runOnce()).toBe(1)
      await sent(2)
      clock += 48 * hour
      await board.timers.runOnce()
      await new Promise((resolve) => setTimeout(resolve, 300))

      expect(messages()).toEqual([
        reminderText,
        'We have not heard from you. Your appointment at Mathare North Health Centre is on ' +
          'Wed 5 Mar at 09:00.\nReply 1 for Confirm, 2 for Cancel, 3 for Reschedule.',
      ])
    })

    it('starts at sendAt', async () => {
      const sendAt = new Date(clock + 2 * hour).toISOString()
      const started = await startFlow(board, { to: [caller], context: appointment, sendAt })

      expect(started.body['results']).toEqual([
        { to: caller, msisdn: caller, status: 'scheduled', dueAt: clock + 2 * hour },
      ])
      expect(await board.timers.runOnce()).toBe(0)
      clock += 2 * hour
      expect(await board.timers.runOnce()).toBe(1)
      await sent(1)
      expect(messages()).toEqual([reminderText])
    })
  },
)

describe('flow start API', () => {
  let board: Board

  beforeEach(async () => {
    clinicData.reset({ now: () => monday })
    board = await createTestSwitchboard({
      flowsDir: 'machines',
      environment: { API_TOKEN: token },
      overrides: { router: acknowledgingRouter() },
    })
  })

  afterEach(() => closeBoard(board))

  it.each([
    ['no token', ''],
    ['a wrong token', 'Bearer test-token-0123456789abcdeX'],
    ['another scheme', `Basic ${token}`],
  ])('rejects %s with 401', async (_label, authorization) => {
    const response = await startFlow(board, { to: caller, context: appointment }, { authorization })

    expect(response.status).toBe(401)
    expect(board.effects.sent).toEqual([])
  })

  it('rejects every request without API_TOKEN', async () => {
    const open = await createTestSwitchboard({ flowsDir: 'machines' })
    const response = await startFlow(open, { to: caller, context: appointment })
    await closeBoard(open)

    expect(response.status).toBe(401)
  })

  it.each<[string, unknown, { flowId?: string; contentType?: string }, number, RegExp]>([
    ['an unknown flow', { to: caller }, { flowId: 'parcels' }, 404, /Flow "parcels" is not loaded/],
    ['a form body', { to: caller }, { contentType: 'text/plain' }, 415, /not supported/],
    ['invalid JSON', '{"to": ', {}, 400, /not valid JSON/],
    ['no recipients', { context: {} }, {}, 400, /^to: /],
    ['a bad sendAt', { to: caller, sendAt: 'tomorrow' }, {}, 400, /^sendAt: /],
  ])('rejects %s', async (_label, body, options, status, error) => {
    const response = await startFlow(board, body, options)

    expect(response.status).toBe(status)
    expect(response.body['error']).toMatch(error)
  })

  it('reports each recipient', async () => {
    const response = await startFlow(board, {
      to: [caller, 'hello', '0700000001', '+254700000002'],
      context: appointment,
    })

    expect(response.status).toBe(202)
    expect(response.body['results']).toEqual([
      { to: caller, msisdn: caller, status: 'waiting' },
      { to: 'hello', status: 'invalid', error: 'not a phone number; send it as +254700000001' },
      { to: '0700000001', msisdn: caller, status: 'duplicate' },
      { to: '+254700000002', msisdn: '+254700000002', status: 'waiting' },
    ])
    expect(board.effects.sent.map((effect) => [effect.to, effect.category])).toEqual([
      [caller, 'notification'],
      ['+254700000002', 'notification'],
    ])
  })

  it('starts nothing for a person who opted out', async () => {
    await reply(board.app, caller, 'STOP', '40123')

    const response = await startFlow(board, { to: caller, context: appointment })

    expect(response.body['results']).toEqual([{ to: caller, msisdn: caller, status: 'opted-out' }])
    expect(await board.store.load(`sms:${caller}:clinic-reminder`)).toBeNull()
  })

  it('logs no recipient number or context', async () => {
    await startFlow(board, { to: caller, context: appointment })

    expect(board.logs.text()).not.toContain('700000001')
    expect(board.logs.text()).not.toContain('Mathare')
  })
})
