import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clinicData } from '../machines/example-data/clinic-data.ts'
import type { SessionRecord } from '../src/store/session-store.ts'
import { acknowledgingRouter, reply } from './support/inbound-sms.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { nextCallbackPath, voiceClient } from './support/voice-client.ts'

type Board = Awaited<ReturnType<typeof createTestSwitchboard>>

const caller = '+254700000001'
const clinicCode = '*384*123#'

async function closeBoard(board: Board) {
  await board.sms.close()
  await board.messaging.close()
  await board.close()
}

describe.each(['memory', 'redis'] as const)('contacts across channels on %s', (store) => {
  let board: Board

  afterEach(() => closeBoard(board))

  describe('with the fixture flows', () => {
    beforeEach(async () => {
      board = await createTestSwitchboard({ store, overrides: { router: acknowledgingRouter() } })
    })

    it('continues a call hand-over by SMS', async () => {
      const call = voiceClient((path, init) => board.app.request(path, init))
      const sessionId = `ATVId_sms_${randomUUID()}`
      const menu = await call({ sessionId })
      await call({ sessionId, dtmfDigits: '6' }, nextCallbackPath(menu.response))

      expect(board.effects.sent.map((effect) => effect.text)).toEqual(['Describe the problem:'])
      const question = (await board.sms.contacts.get(caller))?.openQuestions[0]
      expect(question).toMatchObject({ flowId: 'hotline', state: 'problem' })

      await reply(board.app, caller, 'The card machine at Westlands is broken')

      expect(board.effects.sent.at(-1)?.text).toBe('Thank you. We will reply by SMS.')
      const session = (await board.store.load(`sms:${caller}:hotline`)) as SessionRecord | null
      expect(session?.status).toBe('done')
      expect(session?.context['problem']).toBe('The card machine at Westlands is broken')
    })

    it('asks again for typed input that is too short', async () => {
      const call = voiceClient((path, init) => board.app.request(path, init))
      const sessionId = `ATVId_sms_${randomUUID()}`
      const menu = await call({ sessionId })
      await call({ sessionId, dtmfDigits: '6' }, nextCallbackPath(menu.response))

      await reply(board.app, caller, 'Bad')

      expect(board.effects.sent.at(-1)?.text).toBe('Invalid entry.\nDescribe the problem:')
      const session = (await board.store.load(`sms:${caller}:hotline`)) as SessionRecord | null
      expect(session?.value).toBe('problem')
    })

    it('keeps an opt-out when a stale language save arrives', async () => {
      const stale = await board.store.loadContact(caller)
      await reply(board.app, caller, 'STOP')

      await board.sms.sessionStore.saveContact({
        ...stale,
        msisdn: caller,
        language: 'sw',
        updatedAt: 0,
      })

      const contact = await board.sms.contacts.get(caller)
      expect(contact?.optOut?.optedOut).toBe(true)
      expect(contact?.language).toBe('sw')
    })

    it('records what was said and sent', async () => {
      await reply(board.app, caller, 'REPORT')
      await reply(board.app, caller, '3')

      const history = (await board.sms.contacts.get(caller))?.history ?? []
      expect(history.map((event) => [event.kind, event.text, event.outcome])).toEqual([
        ['sms-in', 'REPORT', 'flow:teams'],
        ['sms-out', expect.stringMatching(/^Which team/), undefined],
        ['sms-in', '3', 'answer:teams'],
        ['session', undefined, 'done'],
        ['sms-out', 'Your report is with the Roads team.', undefined],
      ])
    })
  })

  describe('with the example flows', () => {
    beforeEach(async () => {
      clinicData.reset()
      board = await createTestSwitchboard({
        store,
        flowsDir: 'machines',
        overrides: { router: acknowledgingRouter() },
      })
    })

    it('saves a USSD language choice beside an opt-out', async () => {
      await reply(board.app, caller, 'STOP', '40123')
      const sessionId = `ATUid_language_${randomUUID()}`

      await board.hop({ sessionId, serviceCode: clinicCode, text: '' })
      await board.hop({ sessionId, serviceCode: clinicCode, text: '2' })

      const contact = await board.sms.contacts.get(caller)
      expect(contact?.language).toBe('sw')
      expect(contact?.optOut?.optedOut).toBe(true)
    })

    it('records a USSD session end', async () => {
      const sessionId = `ATUid_end_${randomUUID()}`
      const hops = ['', '1', '1*2', '1*2*35', '1*2*35*Can I bring my child?']
      for (const text of hops) await board.hop({ sessionId, serviceCode: clinicCode, text })

      const history = (await board.sms.contacts.get(caller))?.history ?? []
      expect(history.map((event) => event.kind)).toEqual(['session', 'sms-out'])
      expect(history[0]).toMatchObject({
        kind: 'session',
        channel: 'ussd',
        ref: `africastalking:${sessionId}`,
        outcome: 'done',
      })
    })

    it('keeps a language picked over SMS', async () => {
      await reply(board.app, caller, 'BOOK', '40123')
      await reply(board.app, caller, '3', '40123')

      await reply(board.app, caller, '2', '40123')

      expect(board.effects.sent.at(-1)?.text).toBe(
        'Miadi ya kliniki\nJibu 1 kwa Weka miadi, 2 kwa Uliza muuguzi, 3 kwa Badilisha lugha.',
      )
      expect((await board.sms.contacts.get(caller))?.language).toBe('sw')
    })

    it('reads a typed number in Arabic-Indic digits', async () => {
      await reply(board.app, caller, 'BOOK', '40123')
      await reply(board.app, caller, '2', '40123')

      await reply(board.app, caller, '٣٥', '40123')

      expect(board.effects.sent.at(-1)?.text).toBe('Type your question for the nurse:')
      const session = (await board.store.load(`sms:${caller}:clinic`)) as SessionRecord | null
      expect(session?.context['age']).toBe(35)
    })

    it('starts a flow from a short code keyword', async () => {
      await reply(board.app, caller, 'BOOK', '40123')

      expect(board.effects.sent.at(-1)?.text).toBe(
        'Clinic appointments\nReply 1 for Book an appointment, 2 for Ask a nurse, 3 for Change language.',
      )
      const question = (await board.sms.contacts.get(caller))?.openQuestions[0]
      expect(question).toMatchObject({ flowId: 'clinic', state: 'menu_new' })
    })
  })
})
