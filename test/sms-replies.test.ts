import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionRecord } from '../src/store/session-store.ts'
import { countSegments } from '../src/messaging/segments.ts'
import { acknowledgingRouter, reply } from './support/inbound-sms.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

type Board = Awaited<ReturnType<typeof createTestSwitchboard>>

const start = Date.UTC(2025, 2, 3, 7, 0, 0)
const teamsScreen =
  'Which team should handle your report?\nReply 1 for Water, 2 for Power, 3 for Roads.'
const transferScreen = 'Send KES 500 to +254700000002?\nReply 1 for Yes, 2 for No.'
const notAChoice = 'Sorry, that is not one of the choices.'

let nextNumber = 100
/** A subscriber nobody has used in this file yet. */
function freshNumber(): string {
  nextNumber += 1
  return `+2547001${String(nextNumber).padStart(5, '0')}`
}

describe.each(['memory', 'redis'] as const)('SMS replies on %s', (store) => {
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

  /** Texts sent to `to`, oldest first. */
  const sentTo = (to: string) =>
    board.effects.sent.filter((effect) => effect.to === to).map((effect) => effect.text)

  const session = async (to: string, flowId: string) =>
    (await board.store.load(`sms:${to}:${flowId}`)) as SessionRecord | null

  async function startTeams(): Promise<string> {
    const person = freshNumber()
    expect(await reply(board.app, person, 'REPORT')).toBe(200)
    expect(sentTo(person)).toEqual([teamsScreen])
    return person
  }

  async function startTransfer(): Promise<string> {
    const person = freshNumber()
    expect(await reply(board.app, person, 'SEND')).toBe(200)
    expect(sentTo(person)).toEqual([transferScreen])
    return person
  }

  describe('digits against "Reply 1 Water, 2 Power, 3 Roads"', () => {
    it.each(['2', ' 2 ', '2.', '2)', '#2', '٢', '۲', '２', '02', '2 power'])(
      '%j picks Power',
      async (text) => {
        const person = await startTeams()

        await reply(board.app, person, text)

        expect(sentTo(person).at(-1)).toBe('Your report is with the Power team.')
        expect((await session(person, 'teams'))?.status).toBe('done')
      },
    )

    it.each(['22', 'two'])('%j gets the question again', async (text) => {
      const person = await startTeams()

      await reply(board.app, person, text)

      expect(sentTo(person).at(-1)).toBe(`${notAChoice}\n${teamsScreen}`)
      expect((await session(person, 'teams'))?.value).toBe('team')
    })
  })

  describe('a pending YES/NO confirmation', () => {
    it.each(['yes', 'YES', ' Yes ', 'Yes.', 'yes!', 'Yes please', 'YES\u200b'])(
      '%j confirms',
      async (text) => {
        const person = await startTransfer()

        await reply(board.app, person, text)

        expect(sentTo(person).at(-1)).toBe('KES 500 sent.')
      },
    )

    it.each(['yesterday', 'yes-no', 'eyes'])('%j is asked again', async (text) => {
      const person = await startTransfer()

      await reply(board.app, person, text)

      expect(sentTo(person).at(-1)).toBe(`${notAChoice}\n${transferScreen}`)
      expect((await session(person, 'transfer'))?.value).toBe('confirm')
    })

    it.each([
      ['yse', 'YES'],
      ['YESS', 'YES'],
      ['CANCLE', 'CANCEL'],
    ])('%j gets a clarifying question', async (text, word) => {
      const person = await startTransfer()

      await reply(board.app, person, text)

      expect(sentTo(person).at(-1)).toBe(`Did you mean ${word}? Reply ${word} to confirm.`)
      const waiting = await session(person, 'transfer')
      expect(waiting?.status).toBe('active')
      expect(waiting?.value).toBe('confirm')
    })

    it.each(['CANCEL', 'cancel.', ' Cancel '])('%j cancels the transfer', async (text) => {
      const person = await startTransfer()

      await reply(board.app, person, text)

      expect(sentTo(person).at(-1)).toBe('Cancelled. Nothing more will be done about this.')
      expect((await session(person, 'transfer'))?.status).toBe('dropped')
      expect((await board.sms.contacts.get(person))?.openQuestions).toEqual([])
    })

    it.each(['no', 'No.'])('%j declines', async (text) => {
      const person = await startTransfer()

      await reply(board.app, person, text)

      expect(sentTo(person).at(-1)).toBe('Transfer declined. Nothing was sent.')
    })

    it('confirms after a clarifying question', async () => {
      const person = await startTransfer()

      await reply(board.app, person, 'yse')
      await reply(board.app, person, 'YES')

      expect(sentTo(person).slice(1)).toEqual([
        'Did you mean YES? Reply YES to confirm.',
        'KES 500 sent.',
      ])
    })
  })

  describe('two open questions', () => {
    it('asks which one a reply answers', async () => {
      const person = freshNumber()
      await reply(board.app, person, 'REPORT')
      clock += 60_000
      await reply(board.app, person, 'SEND')

      await reply(board.app, person, '1')

      expect(sentTo(person).at(-1)).toBe(
        'Which one do you mean? Reply A for transfer of KES 500, B for fault report.',
      )
      expect((await session(person, 'teams'))?.value).toBe('team')
      expect((await session(person, 'transfer'))?.value).toBe('confirm')
    })

    it('applies the reply to the one picked', async () => {
      const person = freshNumber()
      await reply(board.app, person, 'REPORT')
      clock += 60_000
      await reply(board.app, person, 'SEND')
      await reply(board.app, person, '1')

      await reply(board.app, person, 'b')

      expect(sentTo(person).at(-1)).toBe('Your report is with the Water team.')
      expect((await session(person, 'transfer'))?.value).toBe('confirm')
      const questions = (await board.sms.contacts.get(person))?.openQuestions ?? []
      expect(questions.map((question) => question.flowId)).toEqual(['transfer'])
    })

    it('sends a word only one question takes there', async () => {
      const person = freshNumber()
      await reply(board.app, person, 'REPORT')
      clock += 60_000
      await reply(board.app, person, 'SEND')

      await reply(board.app, person, 'roads')

      expect(sentTo(person).at(-1)).toBe('Your report is with the Roads team.')
      expect((await session(person, 'transfer'))?.value).toBe('confirm')
    })
  })

  describe('a long list', () => {
    it('pages by SMS segments', async () => {
      const person = freshNumber()
      await reply(board.app, person, 'COUNTY')

      const first = sentTo(person).at(-1) ?? ''
      expect(first).toMatch(
        /^Choose county\nReply 1 for Mombasa, 2 for Kwale, .+\nReply 98 for more\.$/,
      )
      expect(countSegments(first).segments).toBeLessThanOrEqual(board.config.sms.SMS_MAX_SEGMENTS)
      const shown = Number(/(\d+) for [^,]+\.\nReply 98 for more\.$/.exec(first)?.[1])
      expect(shown).toBeGreaterThan(5)

      await reply(board.app, person, '98')
      const second = sentTo(person).at(-1) ?? ''
      expect(second).toMatch(new RegExp(`^Choose county\\nReply ${shown + 1} for `))

      await reply(board.app, person, String(shown + 1))
      expect(sentTo(person).at(-1)).toMatch(
        /^Register with Jane Doe in .+\?\nReply 1 for Confirm\.$/,
      )
      await reply(board.app, person, 'yes')
      expect(sentTo(person).at(-1)).toMatch(/^Caf/)
    })
  })

  describe('no open question', () => {
    it('routes a number to the team', async () => {
      const person = freshNumber()

      await reply(board.app, person, '2')

      expect(sentTo(person).at(-1)).toMatch(
        /^We received your message\. Ref MSG-[0-9A-Z]{6}\. Our team will reply soon\.$/,
      )
    })

    it('routes after the question expires', async () => {
      const person = await startTeams()
      clock += 49 * 60 * 60 * 1000

      await reply(board.app, person, '2')

      expect(sentTo(person).at(-1)).toMatch(/^We received your message\./)
      expect((await session(person, 'teams'))?.value).toBe('team')
    })

    it('routes a long message while a question waits', async () => {
      const person = await startTeams()

      await reply(board.app, person, 'The water pipe on our street burst this morning')

      expect(sentTo(person).at(-1)).toMatch(/^We received your message\./)
      expect((await session(person, 'teams'))?.value).toBe('team')
    })
  })
})
