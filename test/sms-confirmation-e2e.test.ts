import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loansData } from '../machines/example-data/loans-data.ts'
import { startFakeAfricasTalking, type FakeAfricasTalking } from './support/fake-africastalking.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

const monday = new Date('2025-03-03T07:00:00Z')
const loansCode = '*384*456#'
const caller = '+254700000001'

type Board = Awaited<ReturnType<typeof createTestSwitchboard>>

/** Waits until the fake has received `count` sends, or fails after `timeoutMs`. */
async function waitForSends(fake: FakeAfricasTalking, count: number, timeoutMs = 10_000) {
  const started = Date.now()
  while (fake.sends().length < count) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`expected ${count} sends, the fake received ${fake.sends().length}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function walk(board: Board, sessionId: string, inputs: string[], serviceCode = loansCode) {
  const bodies: string[] = []
  for (let index = 0; index <= inputs.length; index += 1) {
    const text = inputs.slice(0, index).join('*')
    bodies.push((await board.hop({ sessionId, serviceCode, text })).body)
  }
  return bodies
}

describe.each(['memory', 'redis'] as const)("SMS through Africa's Talking on %s", (store) => {
  let fake: FakeAfricasTalking
  let board: Board

  beforeEach(async () => {
    loansData.reset({ now: () => monday })
    fake = await startFakeAfricasTalking()
    board = await createTestSwitchboard({
      flowsDir: 'machines',
      store,
      realSms: true,
      environment: {
        AT_USERNAME: fake.username,
        AT_API_KEY: fake.apiKey,
        AT_API_URL: fake.url,
        AT_SENDER_ID: 'PESA',
      },
    })
    board.messaging.worker.start()
  })

  afterEach(async () => {
    await board.close()
    await fake.close()
  })

  it('sends one confirmation for a repayment', async () => {
    const bodies = await walk(board, 'ATUid_e2e_repay', ['1', '2', '2500', '1'])
    await board.hop({ sessionId: 'ATUid_e2e_repay', serviceCode: loansCode, text: '1*2*2500*1' })
    await waitForSends(fake, 1)
    await new Promise((resolve) => setTimeout(resolve, 200))

    expect(bodies.at(-1)).toBe(
      'END Thank you. KES 2500 received. Ref LR1001. New balance KES 9500.',
    )
    expect(fake.sends().map((request) => request.form)).toEqual([
      {
        username: fake.username,
        to: caller,
        message: 'Loan LN00001: we received KES 2500. Ref LR1001. New balance KES 9500. Thank you.',
        from: 'PESA',
        bulkSMSMode: '1',
      },
    ])
  })

  it('sends one SMS for a dropped session', async () => {
    await walk(board, 'ATUid_e2e_drop', ['1', '2', '2500'])
    const notice = new URLSearchParams({
      sessionId: 'ATUid_e2e_drop',
      serviceCode: loansCode,
      phoneNumber: caller,
      status: 'Incomplete',
      input: '1*2*2500',
    })
    for (let repeat = 0; repeat < 2; repeat += 1) {
      await board.app.request('/africastalking/ussd/events', {
        method: 'POST',
        body: notice.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    }
    await waitForSends(fake, 1)
    await new Promise((resolve) => setTimeout(resolve, 200))

    expect(fake.sends()).toHaveLength(1)
    expect(fake.sends()[0]?.form['to']).toBe(caller)
    expect(fake.sends()[0]?.form['message']).toBe(
      'Your repayment of KES 2500 was NOT made. Dial *384*456# within 10 minutes to finish it.',
    )

    const redial = await walk(board, 'ATUid_e2e_redial', [])
    expect(redial[0]).toBe('CON You have an unfinished repayment.\n1. Continue\n2. Start over')
    const resumed = await board.hop({
      sessionId: 'ATUid_e2e_redial',
      serviceCode: loansCode,
      text: '1',
    })
    expect(resumed.body).toBe('CON Repay KES 2500 from M-Pesa +254700000001?\n1. Confirm\n0. Back')
  })

  it('reports delivery forward only', async () => {
    await walk(board, 'ATUid_e2e_dlr', ['1', '2', '2500', '1'])
    await waitForSends(fake, 1)
    const messageId = await waitForMessageId(board)

    const report = async (status: string) => {
      const response = await board.app.request('/africastalking/sms/delivery', {
        method: 'POST',
        body: new URLSearchParams({ id: messageId, status, phoneNumber: caller }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      return response.status
    }
    expect(await report('Success')).toBe(200)
    expect(await report('Buffered')).toBe(200)

    const stored = await board.messaging.outboxStore.findByProviderId(messageId)
    expect(stored?.status).toBe('delivered')
  })
})

/** Reads the provider id the worker recorded for the only sent message. */
async function waitForMessageId(board: Board): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const found = await board.messaging.outboxStore.findByProviderId('ATXid_1')
    if (found?.status === 'sent') return 'ATXid_1'
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('the worker never recorded the sent message')
}
