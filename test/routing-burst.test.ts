import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OutboxMessage } from '../src/messaging/outbox-store.ts'
import { postSms, smsFields } from './support/inbound-sms.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

const shortCode = '40123'
const onCall = '+254711000900'
const tokens = {
  nurses: 'nurses-token-0123456789abcdef',
  finance: 'finance-token-0123456789abcdef',
}
const monday = Date.parse('2025-03-03T07:00:00Z')

// One message of each kind in turn; 1,000 messages give 125 of each.
const kinds = [
  { text: 'Help, my wife is bleeding', team: 'nurses', category: 'danger-signs' },
  { text: 'Mtoto ana degedege', team: 'nurses', category: 'danger-signs' },
  { text: 'How many tablets a day?', team: 'nurses', category: 'medication' },
  { text: 'Dawa zangu zimeisha', team: 'nurses', category: 'medication' },
  { text: 'I paid 500 but it is not reflected', team: 'finance', category: 'payment-dispute' },
  { text: 'I need a loan of 80,000', team: 'finance', category: 'large-loan' },
  { text: 'Salio langu ni ngapi?', team: undefined, category: 'balance' },
  { text: 'Thank you for the visit', team: 'nurses', category: 'general' },
] as const

const total = 1000
const sender = (index: number) => `+25471${String(index).padStart(7, '0')}`
const kindOf = (index: number) => kinds[index % kinds.length]!

describe('burst of inbound messages', () => {
  let board: Awaited<ReturnType<typeof createTestSwitchboard>>
  let clock = monday
  let outbox: OutboxMessage[] = []
  const statuses: number[] = []

  /** Takes every SMS queued since the last call from the outbox, as the worker would. */
  async function drainOutbox(): Promise<OutboxMessage[]> {
    const taken = await board.messaging.outboxStore.claim(clock, 100_000, 60_000)
    outbox = [...outbox, ...taken]
    return taken
  }

  const api = async (team: 'nurses' | 'finance', path: string, body: unknown) => {
    const response = await board.app.request(`/api/teams/${team}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[team]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, json: (await response.json()) as Record<string, any> }
  }

  beforeAll(async () => {
    board = await createTestSwitchboard({
      flowsDir: 'machines',
      realSms: true,
      environment: {
        FLOWS_WATCH: 'off',
        TEAM_TOKENS: `nurses:${tokens.nurses},finance:${tokens.finance}`,
      },
      overrides: { now: () => clock },
    })

    for (let batch = 0; batch < total; batch += 100) {
      const posts = Array.from({ length: 100 }, (_, offset) => {
        const index = batch + offset
        const fields = { from: sender(index), to: shortCode, text: kindOf(index).text }
        return postSms(board.app, smsFields(fields))
      })
      for (const { status } of await Promise.all(posts)) statuses.push(status)
    }
    await drainOutbox()
  }, 60_000)

  afterAll(async () => {
    await board?.sms.close()
    await board?.messaging.close()
    await board?.close()
  })

  const sentTo = (to: string) => outbox.filter((sms) => sms.to === to).map((sms) => sms.text)

  it('accepts every message', () => {
    expect(statuses).toHaveLength(total)
    expect(statuses.every((status) => status === 200)).toBe(true)
  })

  it('acknowledges each with its reference', () => {
    const references = new Set<string>()
    for (let index = 0; index < total; index += 1) {
      const kind = kindOf(index)
      const texts = sentTo(sender(index))
      if (kind.team === undefined) {
        expect(texts).toEqual([expect.stringMatching(/^Your loan\nReply 1 for Check balance/)])
        continue
      }
      expect(texts).toHaveLength(1)
      const reference = /REF-[2-9A-HJ-NP-Z]{6}/.exec(texts[0] ?? '')?.[0]
      expect(reference).toBeDefined()
      references.add(reference ?? '')
    }
    expect(references.size).toBe((total / kinds.length) * (kinds.length - 1))
  })

  it('alerts on-call for every urgent one', () => {
    const alerts = sentTo(onCall)
    const urgent = Array.from({ length: total }, (_, index) => index).filter(
      (index) => kindOf(index).category === 'danger-signs',
    )

    expect(alerts).toHaveLength(urgent.length)
    for (const index of urgent) {
      const reference = /REF-\w{6}/.exec(sentTo(sender(index))[0] ?? '')?.[0] ?? 'none'
      expect(
        alerts.filter((alert) => alert.includes(`${reference} from ${sender(index)}`)),
      ).toHaveLength(1)
    }
  })

  it('claims, answers and resolves all', async () => {
    clock += 5 * 60_000
    const claimedCategories: Record<string, string[]> = { nurses: [], finance: [] }

    for (const team of ['nurses', 'finance'] as const) {
      for (;;) {
        const claim = await api(team, '/claim', { agent: `${team}-agent` })
        expect(claim.status).toBe(200)
        if (claim.json.item === null) break

        const { reference, category } = claim.json.item
        claimedCategories[team]!.push(category)
        const path = `/items/${reference}`
        const reply = await api(team, `${path}/reply`, {
          lease: claim.json.lease,
          text: 'We are on it.',
        })
        const resolve = await api(team, `${path}/resolve`, {
          lease: claim.json.lease,
          text: 'Done.',
        })
        expect(reply.status).toBe(200)
        expect(resolve.status).toBe(200)
      }
    }
    await drainOutbox()

    // Urgent items come out of the queue first.
    const nurses = claimedCategories['nurses']!
    expect(nurses.slice(0, 250).every((category) => category === 'danger-signs')).toBe(true)
    expect(nurses).toHaveLength(625)
    expect(claimedCategories['finance']).toHaveLength(250)

    const closing = outbox.filter((sms) =>
      /is resolved: Done\.$|limeshughulikiwa: Done\.$/.test(sms.text),
    )
    expect(closing).toHaveLength(875)
    expect(outbox.filter((sms) => sms.text.startsWith('We are on it.'))).toHaveLength(875)
  })

  it('reports the burst in metrics', async () => {
    const response = await board.app.request('/metrics')
    const text = await response.text()

    expect(response.status).toBe(200)
    expect(text).toContain(
      'switchboard_routed_messages_total{program="clinic",category="danger-signs",destination="escalate",team="nurses"} 250',
    )
    expect(text).toContain(
      'switchboard_routed_messages_total{program="loans",category="balance",destination="answer",team=""} 125',
    )
    expect(text).toContain(
      'switchboard_routed_messages_total{program="loans",category="payment-dispute",destination="queue",team="finance"} 125',
    )
    expect(text).toContain(
      'switchboard_routing_time_to_claim_seconds_count{team="nurses",category="danger-signs"} 250',
    )
    expect(text).toContain(
      'switchboard_routing_time_to_resolve_seconds_bucket{team="finance",category="large-loan",le="300"} 125',
    )
    expect(text).toContain('switchboard_routing_queue_depth{team="nurses",status="queued"} 0')
  })
})
