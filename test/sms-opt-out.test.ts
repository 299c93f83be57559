import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loansData } from '../machines/example-data/loans-data.ts'
import type { SessionRecord } from '../src/store/session-store.ts'
import { startFakeAfricasTalking, type FakeAfricasTalking } from './support/fake-africastalking.ts'
import { acknowledgingRouter, reply } from './support/inbound-sms.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { waitFor } from './support/wait-for.ts'

type Board = Awaited<ReturnType<typeof createTestSwitchboard>>

const optedOutText = 'You will get no more SMS from us. Reply START to get them again.'
const optedInText = 'You will get our SMS again. Reply STOP to stop them.'
const acknowledgement =
  /^We received your message\. Ref MSG-[0-9A-Z]{6}\. Our team will reply soon\.$/

let nextNumber = 100
function freshNumber(): string {
  nextNumber += 1
  return `+2547002${String(nextNumber).padStart(5, '0')}`
}

async function closeBoard(board: Board) {
  await board.sms.close()
  await board.messaging.close()
  await board.close()
}

describe.each(['memory', 'redis'] as const)('opt-out by SMS on %s', (store) => {
  let board: Board

  beforeEach(async () => {
    board = await createTestSwitchboard({ store, overrides: { router: acknowledgingRouter() } })
  })

  afterEach(() => closeBoard(board))

  const sentTo = (to: string) => board.effects.sent.filter((effect) => effect.to === to)

  it.each([
    'STOP',
    'stop',
    '  Stop  ',
    'Stop.',
    'STOP!!',
    'Stop. Thank you',
    'Stop sending me messages',
    'ＳＴＯＰ',
    'STOP\u200b',
    'UNSUBSCRIBE',
    'QUIT',
    'END',
    'OPTOUT',
    'opt out',
    'REVOKE',
    'STOPALL',
  ])('%j opts out with one confirmation', async (text) => {
    const person = freshNumber()

    expect(await reply(board.app, person, text)).toBe(200)

    const contact = await board.sms.contacts.get(person)
    expect(contact?.optOut?.optedOut).toBe(true)
    expect(await board.messaging.optOuts.get(person)).toMatchObject({ source: 'sms-keyword' })
    expect(sentTo(person).map((effect) => [effect.text, effect.category])).toEqual([
      [optedOutText, 'essential'],
    ])
  })

  it('names the reference of STOP 12345', async () => {
    const person = freshNumber()

    await reply(board.app, person, 'STOP 12345')

    expect((await board.sms.contacts.get(person))?.optOut?.optedOut).toBe(true)
    expect(sentTo(person).map((effect) => effect.text)).toEqual([
      'You will get no more SMS from us, about 12345 or anything else. Reply START to get them again.',
    ])
  })

  it.each(['We have got to STOP this bill', 'stopping by later'])(
    '%j is routed, not an opt-out',
    async (text) => {
      const person = freshNumber()

      await reply(board.app, person, text)

      expect((await board.sms.contacts.get(person))?.optOut).toBeUndefined()
      expect(await board.messaging.optOuts.get(person)).toBeNull()
      expect(sentTo(person)).toHaveLength(1)
      expect(sentTo(person)[0]?.text).toMatch(acknowledgement)
    },
  )

  it('sends the short code help text', async () => {
    const person = freshNumber()

    await reply(board.app, person, 'HELP')

    expect(sentTo(person).map((effect) => [effect.text, effect.category])).toEqual([
      ['Send REPORT to report a fault.', 'essential'],
    ])
  })

  describe('while a flow waits', () => {
    async function stopStartTwo() {
      const person = freshNumber()
      await reply(board.app, person, 'REPORT')
      await reply(board.app, person, 'STOP')
      await reply(board.app, person, 'START')
      await reply(board.app, person, '2')
      return person
    }

    it('cancels the flow instead of answering it', async () => {
      const person = freshNumber()
      await reply(board.app, person, 'REPORT')

      await reply(board.app, person, 'STOP')

      const session = (await board.store.load(`sms:${person}:teams`)) as SessionRecord | null
      expect(session?.status).toBe('dropped')
      expect(session?.value).toBe('team')
      expect((await board.sms.contacts.get(person))?.openQuestions).toEqual([])
    })

    it('opts back in with START', async () => {
      const person = await stopStartTwo()

      expect((await board.sms.contacts.get(person))?.optOut?.optedOut).toBe(false)
      expect(await board.messaging.optOuts.get(person)).toBeNull()
      expect(
        sentTo(person)
          .map((effect) => effect.text)
          .slice(1, 3),
      ).toEqual([optedOutText, optedInText])
    })

    it('routes a later 2 instead of applying it', async () => {
      const person = await stopStartTwo()

      const texts = sentTo(person).map((effect) => effect.text)
      expect(texts).toHaveLength(4)
      expect(texts[3]).toMatch(acknowledgement)
      expect(texts).not.toContain('Your report is with the Power team.')
      const session = (await board.store.load(`sms:${person}:teams`)) as SessionRecord | null
      expect(session?.status).toBe('dropped')
    })
  })
})

describe.each(['memory', 'redis'] as const)("opt-out at a fake Africa's Talking on %s", (store) => {
  const monday = new Date('2025-03-03T07:00:00Z')
  const loansCode = '*384*456#'
  const caller = '+254700000001'
  let fake: FakeAfricasTalking
  let board: Board

  async function build(environment: Record<string, string> = {}) {
    fake = await startFakeAfricasTalking()
    board = await createTestSwitchboard({
      flowsDir: 'machines',
      store,
      realSms: true,
      environment: {
        AT_USERNAME: fake.username,
        AT_API_KEY: fake.apiKey,
        AT_API_URL: fake.url,
        ...environment,
      },
      overrides: { router: acknowledgingRouter() },
    })
    board.messaging.worker.start()
  }

  beforeEach(() => {
    loansData.reset({ now: () => monday })
  })

  afterEach(async () => {
    await closeBoard(board)
    await fake.close()
  })

  const suppressed = () => board.logs.lines.filter((line) => line['msg'] === 'sms suppressed')
  const messages = () => fake.sends().map((request) => request.form['message'])

  it('suppresses the USSD drop SMS after STOP', async () => {
    await build()
    await reply(board.app, caller, 'STOP', '40123')
    await waitFor(() => fake.sends().length === 1, 'the opt-out confirmation')

    const sessionId = 'ATUid_optout_drop'
    for (const text of ['', '1', '1*2', '1*2*2500']) {
      await board.hop({ sessionId, serviceCode: loansCode, phoneNumber: caller, text })
    }
    const notice = new URLSearchParams({
      sessionId,
      serviceCode: loansCode,
      phoneNumber: caller,
      status: 'Incomplete',
      input: '1*2*2500',
    })
    await board.app.request('/africastalking/ussd/events', {
      method: 'POST',
      body: notice.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    await waitFor(() => suppressed().length === 1, 'the drop SMS to be suppressed')

    expect(messages()).toEqual([optedOutText])
    expect(suppressed()[0]?.['reason']).toBe('opted out: STOP (sms-keyword)')
  })

  it('still acknowledges a message after STOP', async () => {
    await build()
    await reply(board.app, caller, 'STOP', '40123')
    await reply(board.app, caller, 'Why did you charge me twice?', '40123')

    await waitFor(() => fake.sends().length === 2, 'the confirmation and the acknowledgement')
    expect(messages()[0]).toBe(optedOutText)
    expect(messages()[1]).toMatch(acknowledgement)
  })

  it('suppresses acknowledgements when configured', async () => {
    await build({ SMS_SEND_TRANSACTIONAL_AFTER_OPT_OUT: 'false' })
    await reply(board.app, caller, 'STOP', '40123')
    await reply(board.app, caller, 'Why did you charge me twice?', '40123')

    await waitFor(() => suppressed().length === 1, 'the acknowledgement to be suppressed')
    expect(messages()).toEqual([optedOutText])
  })
})
