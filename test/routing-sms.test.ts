import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { normalizeMatchText } from '../src/messaging/inbound/match-text.ts'
import { postSms, smsFields } from './support/inbound-sms.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

const monday = Date.parse('2025-03-03T07:00:00Z')

describe('routing inbound SMS', () => {
  let board: Awaited<ReturnType<typeof createTestSwitchboard>>

  beforeEach(async () => {
    board = await createTestSwitchboard({
      flowsDir: 'machines',
      environment: { FLOWS_WATCH: 'off', TEAM_TOKENS: 'nurses:nurses-token-0123456789abcdef' },
      overrides: { now: () => monday },
    })
  })

  afterEach(async () => {
    await board.sms.close()
    await board.messaging.close()
    await board.close()
  })

  const sentTo = (to: string) =>
    board.effects.sent.filter((effect) => effect.to === to).map((effect) => effect.text)

  it('acknowledges by the rules', async () => {
    const fields = smsFields({ from: '+254700000031', to: '21512', text: 'Dawa zangu zimeisha' })
    const { status } = await postSms(board.app, fields)
    const [item] = await board.routing.queue.list('nurses', 10)

    expect(status).toBe(200)
    expect(item?.rule).toBe('medication')
    expect(item?.message.id).toBe(`africastalking:${fields['id']}`)
    expect(sentTo('+254700000031')).toEqual([
      `Thank you. A nurse will reply within 24 hours. Your reference is ${item?.reference}.`,
    ])
    expect(item?.context.channelContext).toEqual({ openQuestions: [] })
  })

  it('keeps the plain acknowledgement elsewhere', async () => {
    const from = '+254700000032'
    await postSms(board.app, smsFields({ from, to: '40400', text: 'hello' }))
    await postSms(board.app, smsFields({ from, to: '40400', text: 'hello again' }))

    expect(sentTo(from)).toEqual([
      expect.stringMatching(
        /^We received your message\. Ref MSG-\w{6}\. Our team will reply soon\.$/,
      ),
      expect.stringMatching(
        /^We received your message\. Ref MSG-\w{6}\. Our team will reply soon\.$/,
      ),
    ])
    const warnings = board.logs.lines.filter(
      (line) =>
        line['msg'] ===
        'no rules file lists this short code; its messages get the plain acknowledgement',
    )
    expect(warnings.map((line) => line['to'])).toEqual(['40400'])
    expect(await board.routing.queue.list('nurses', 10)).toEqual([])
  })

  it.each([
    { channel: 'ussd' as const, to: '*384*123#' },
    { channel: 'voice' as const, to: '+254711000123' },
  ])('routes a $channel question', async ({ channel, to }) => {
    const text = 'Mtoto ana homa na degedege'
    const outcome = await board.routing.router.route({
      id: `${channel}:question-1`,
      channel,
      from: '+254700000033',
      to,
      text,
      matchText: normalizeMatchText(text),
      receivedAt: monday,
      language: 'sw',
    })
    const [item] = await board.routing.queue.list('nurses', 10)

    expect(outcome.rule).toBe('danger-signs')
    expect(outcome.acknowledgement).toBe(
      'Tumemjulisha muuguzi wa zamu. Kama ni dharura, nenda kituo cha afya kilicho karibu sasa ' +
        `hivi. Kumbukumbu ${outcome.reference}.`,
    )
    expect(item).toMatchObject({ reference: outcome.reference, message: { channel, to } })
  })
})
