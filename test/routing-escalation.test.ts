import { createServer, type Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRoutingHarness, type RoutingHarness } from './support/routing-harness.ts'

const minute = 60_000
const onCall = '+254711000900'

/** A webhook receiver on 127.0.0.1 that answers each POST as scripted. */
async function startWebhookReceiver() {
  const received: Record<string, unknown>[] = []
  const replies: { status: number; delayMs?: number }[] = []
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    received.push(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>)

    const reply = replies.shift() ?? { status: 204 }
    setTimeout(() => {
      if (response.destroyed) return
      response.writeHead(reply.status)
      response.end()
    }, reply.delayMs ?? 0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    received,
    script: (...next: { status: number; delayMs?: number }[]) => replies.push(...next),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function rulesFor(webhookUrl: string): string {
  return `
program: clinic
shortCodes: ['21512']
languages: [en, sw]
teams:
  nurses:
    onCall: '${onCall}'
    webhook: { url: '${webhookUrl}', timeoutMs: 300 }
  pharmacy: {}
categories:
  danger:
    name: { en: urgent health question, sw: swali la dharura }
    claimWithin: 10m
    resolveWithin: 2h
  medication:
    name: { en: medication question, sw: swali la dawa }
    claimWithin: 4h
    resolveWithin: 24h
  general: {}
rules:
  - { id: danger, when: { anyWord: [bleeding] }, category: danger, escalate: nurses }
  - { id: meds, when: { anyWord: [tablets] }, category: medication, queue: nurses }
  - { id: default, default: true, category: general, queue: nurses }
`
}

describe('escalation and service levels', () => {
  let directory: string
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let harness: RoutingHarness

  beforeEach(async () => {
    receiver = await startWebhookReceiver()
    directory = await mkdtemp(join(tmpdir(), 'switchboard-escalation-'))
    await writeFile(join(directory, 'clinic.rules.yaml'), rulesFor(receiver.url))
    harness = await createRoutingHarness({ environment: { RULES_DIR: directory } })
  })

  afterEach(async () => {
    await harness.close()
    await receiver.close()
    await rm(directory, { recursive: true, force: true })
  })

  const onCallSms = () => harness.sent.filter((sms) => sms.to === onCall).map((sms) => sms.text)
  const toPerson = () =>
    harness.sent.filter((sms) => sms.to === '+254700000001').map((sms) => sms.text)

  it('alerts the on-call number at once', async () => {
    const { reference } = await harness.route('My wife is bleeding a lot')

    expect(onCallSms()).toEqual([
      `URGENT nurses: urgent health question ${reference} from +254700000001: ` +
        '"My wife is bleeding a lot". Claim it in the inbox.',
    ])
  })

  it('posts the webhook through a timer', async () => {
    const { reference } = await harness.route('My wife is bleeding a lot')
    expect(receiver.received).toEqual([])

    await harness.timers.runOnce()

    expect(receiver.received).toEqual([
      {
        event: 'routing.urgent',
        id: `nurses:${reference}:urgent`,
        reference,
        team: 'nurses',
        program: 'clinic',
        category: 'danger',
        priority: 'urgent',
        rule: 'danger',
        channel: 'sms',
        from: '+254*****001',
        text: 'My wife is bleeding a lot',
        receivedAt: new Date(harness.clock.now).toISOString(),
        sentAt: new Date(harness.clock.now).toISOString(),
      },
    ])
  })

  it('alerts once for a repeated message', async () => {
    const message = { id: 'africastalking:repeat-1' }
    const first = await harness.route('bleeding', message)
    const second = await harness.route('bleeding', message)
    await harness.timers.runOnce()
    await harness.timers.runOnce()

    expect(second.reference).toBe(first.reference)
    expect(onCallSms()).toHaveLength(1)
    expect(receiver.received).toHaveLength(1)
  })

  it('retries a failed webhook later', async () => {
    receiver.script({ status: 500 }, { status: 200, delayMs: 1000 })
    await harness.route('bleeding')

    await harness.timers.runOnce()
    harness.advance(9_999)
    await harness.timers.runOnce()
    const afterFailure = receiver.received.length
    harness.advance(1)
    await harness.timers.runOnce()
    harness.advance(20_000)
    await harness.timers.runOnce()

    expect(afterFailure).toBe(1)
    expect(receiver.received).toHaveLength(3)
    const warnings = harness.logs.lines.filter(
      (line) => line['msg'] === 'on-call webhook failed; will retry',
    )
    expect(warnings.map((line) => line['reason'])).toEqual(['HTTP 500', 'timed out after 300 ms'])
  })

  it('escalates an unclaimed item once', async () => {
    const { reference } = await harness.route('How many tablets a day?')

    harness.advance(4 * 60 * minute - 1)
    await harness.timers.runOnce()
    const early = onCallSms().length
    harness.advance(1)
    await harness.timers.runOnce()
    harness.advance(60 * minute)
    await harness.timers.runOnce()

    expect(early).toBe(0)
    expect(onCallSms()).toEqual([
      `ESCALATED nurses: medication question ${reference} from +254700000001 has waited 240 min ` +
        'without an agent. Claim it in the inbox.',
    ])
    expect(receiver.received.map((body) => body['event'])).toEqual(['routing.unclaimed'])
    const { json } = await harness.api('GET', `/api/teams/nurses/items/${reference}`)
    expect(json.item).toMatchObject({ priority: 'urgent', escalation: 'unclaimed' })
    expect(json.events.map((event: { kind: string }) => event.kind)).toEqual([
      'queued',
      'escalated',
    ])
  })

  it('does not escalate a claimed item', async () => {
    const { reference } = await harness.route('How many tablets a day?')
    harness.advance(minute)
    await harness.api('POST', `/api/teams/nurses/items/${reference}/claim`, {
      body: { agent: 'amina' },
    })

    harness.advance(5 * 60 * minute)
    await harness.timers.runOnce()

    expect(onCallSms()).toEqual([])
  })

  it('sends one still-working update', async () => {
    const { reference } = await harness.route('How many tablets a day?')
    await harness.api('POST', `/api/teams/nurses/items/${reference}/claim`, {
      body: { agent: 'amina' },
    })

    harness.advance(24 * 60 * minute)
    await harness.timers.runOnce()
    harness.advance(24 * 60 * minute)
    await harness.timers.runOnce()

    expect(toPerson()).toEqual([
      `We are still working on your medication question ${reference}. Thank you for waiting.`,
    ])
    const contact = await harness.contacts.get('+254700000001')
    expect(contact?.history.at(-1)?.outcome).toBe(`still-working:${reference}`)
  })

  it('sends no update after resolving', async () => {
    const { reference } = await harness.route('How many tablets a day?')
    const claim = await harness.api('POST', `/api/teams/nurses/items/${reference}/claim`, {
      body: { agent: 'amina' },
    })
    await harness.api('POST', `/api/teams/nurses/items/${reference}/resolve`, {
      body: { lease: claim.json.lease, text: 'Two a day.' },
    })

    harness.advance(25 * 60 * minute)
    await harness.timers.runOnce()

    expect(toPerson()).toEqual([`Your medication question ${reference} is resolved: Two a day.`])
  })

  it('restarts the claim deadline after a transfer', async () => {
    const { reference } = await harness.route('How many tablets a day?')
    harness.advance(3 * 60 * minute)
    await harness.api('POST', `/api/teams/nurses/items/${reference}/transfer`, {
      body: { to: 'pharmacy', agent: 'amina' },
    })

    harness.advance(61 * minute)
    await harness.timers.runOnce()
    const afterOldDeadline = harness.logs.lines.filter(
      (line) => line['msg'] === 'item not claimed in time; escalated',
    ).length
    harness.advance(3 * 60 * minute)
    await harness.timers.runOnce()

    expect(afterOldDeadline).toBe(0)
    const escalated = harness.logs.lines.filter(
      (line) => line['msg'] === 'item not claimed in time; escalated',
    )
    expect(escalated.map((line) => line['team'])).toEqual(['pharmacy'])
    expect(
      harness.logs.lines.some(
        (line) =>
          line['msg'] ===
          'team has no onCall number or webhook in its rules file; nobody was alerted',
      ),
    ).toBe(true)
  })
})
