import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { contactChanges } from '../src/messaging/inbound/contact-changes.ts'
import { startFakeAfricasTalking, type FakeAfricasTalking } from './support/fake-africastalking.ts'
import { createRoutingHarness, teamTokens, type RoutingHarness } from './support/routing-harness.ts'

const person = '+254700000001'
const leaseMs = 300_000

describe('agent API authentication', () => {
  let harness: RoutingHarness

  beforeEach(async () => {
    harness = await createRoutingHarness()
  })

  afterEach(async () => {
    await harness.close()
  })

  it.each([
    { label: 'no header', authorization: undefined, status: 401 },
    { label: 'basic scheme', authorization: `Basic ${teamTokens.nurses}`, status: 401 },
    { label: 'unknown token', authorization: 'Bearer not-a-team-token-000000', status: 401 },
    {
      label: "token's prefix",
      authorization: `Bearer ${teamTokens.nurses.slice(0, -1)}`,
      status: 401,
    },
    { label: "another team's token", authorization: `Bearer ${teamTokens.finance}`, status: 403 },
    { label: "the team's token", authorization: `Bearer ${teamTokens.nurses}`, status: 200 },
    { label: 'lower-case scheme', authorization: `bearer ${teamTokens.nurses}`, status: 200 },
  ])('answers $status for $label', async ({ authorization, status }) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization }
    const response = await harness.app.request('/api/teams/nurses/items', { headers })

    expect(response.status).toBe(status)
    if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/)
  })

  it('rejects a token for every action', async () => {
    const { reference } = await harness.route('How many tablets?')
    const paths = [
      ['POST', '/api/teams/nurses/claim'],
      ['GET', `/api/teams/nurses/items/${reference}`],
      ['POST', `/api/teams/nurses/items/${reference}/reply`],
      ['POST', `/api/teams/nurses/items/${reference}/resolve`],
      ['POST', `/api/teams/nurses/items/${reference}/transfer`],
      ['POST', `/api/teams/nurses/items/${reference}/notes`],
    ] as const

    for (const [method, path] of paths) {
      expect((await harness.api(method, path, { team: 'finance' })).status).toBe(403)
    }
    expect(harness.sent.filter((sms) => sms.to === person)).toEqual([])
  })
})

describe.each(['memory', 'redis'] as const)('agent API on %s', (store) => {
  let harness: RoutingHarness

  beforeEach(async () => {
    harness = await createRoutingHarness({ store })
  })

  afterEach(async () => {
    await harness.close()
  })

  const claim = async (reference: string, agent: string, team: 'nurses' | 'finance' = 'nurses') =>
    harness.api('POST', `/api/teams/${team}/items/${reference}/claim`, { team, body: { agent } })

  it('lists the queue with context', async () => {
    harness.advance(1000)
    const normal = await harness.route('Which medicine for a cough?')
    harness.advance(1000)
    const urgent = await harness.route('My baby is having convulsions')
    harness.advance(1000)
    await harness.route('I paid but it is not reflected', { to: '21513' })

    const { status, json } = await harness.api('GET', '/api/teams/nurses/items')

    expect(status).toBe(200)
    expect(json.items.map((item: { reference: string }) => item.reference)).toEqual([
      urgent.reference,
      normal.reference,
    ])
    expect(json.items[0]).toMatchObject({
      team: 'nurses',
      category: 'danger-signs',
      priority: 'urgent',
      rule: 'danger-signs',
      status: 'queued',
      escalation: 'rule',
      message: { from: person, to: '21512', text: 'My baby is having convulsions' },
    })
    expect(json.items[0].context.askedBefore).toMatchObject([
      { text: 'Which medicine for a cough?', reference: normal.reference },
    ])
    expect(json.items[0]).not.toHaveProperty('lease')
    expect(json.transferTo).toEqual(['finance'])
  })

  it('never gives two agents one item', async () => {
    const references = new Set<string>()
    for (let index = 0; index < 10; index += 1) {
      references.add((await harness.route(`question ${index} about tablets`)).reference)
    }

    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        harness.api('POST', '/api/teams/nurses/claim', { body: { agent: `agent-${index}` } }),
      ),
    )

    expect(claims.map((claim) => claim.status)).toEqual(new Array(20).fill(200))
    const claimed = claims.flatMap((claim) => (claim.json.item ? [claim.json.item.reference] : []))
    expect(claimed).toHaveLength(10)
    expect(new Set(claimed)).toEqual(references)
    expect(claims.filter((claim) => claim.json.item === null)).toHaveLength(10)
  })

  it('lets one of two agents claim an item', async () => {
    const { reference } = await harness.route('Is this medicine safe?')

    const [first, second] = await Promise.all([
      claim(reference, 'amina'),
      claim(reference, 'baraka'),
    ])

    const statuses = [first.status, second.status].sort()
    expect(statuses).toEqual([200, 409])
    const loser = first.status === 409 ? first : second
    expect(loser.json.problem).toBe('claimed-by-other')
    expect(loser.json.error).toMatch(
      new RegExp(`^${reference} is claimed by (amina|baraka) until `),
    )
  })

  it('returns an expired claim to the queue', async () => {
    const { reference } = await harness.route('Is this medicine safe?')
    const first = await claim(reference, 'amina')

    harness.advance(leaseMs + 1)
    const listed = await harness.api('GET', '/api/teams/nurses/items')
    const late = await harness.api('POST', `/api/teams/nurses/items/${reference}/reply`, {
      body: { lease: first.json.lease, text: 'Take it after food.' },
    })
    const second = await claim(reference, 'baraka')
    const stale = await harness.api('POST', `/api/teams/nurses/items/${reference}/reply`, {
      body: { lease: first.json.lease, text: 'Take it after food.' },
    })

    expect(first.json.leaseUntil).toBe(harness.clock.now - 1)
    expect(listed.json.items[0]).toMatchObject({ reference, status: 'queued' })
    expect(late.status).toBe(409)
    expect(late.json.problem).toBe('not-claimed')
    expect(second.status).toBe(200)
    expect(second.json.item.claimedBy).toBe('baraka')
    expect(stale.status).toBe(409)
    expect(stale.json).toEqual({
      problem: 'lease-mismatch',
      error: `${reference} is claimed by baraka under another claim. Claim it again when it is free.`,
    })
    const events = (await harness.api('GET', `/api/teams/nurses/items/${reference}`)).json.events
    expect(events.map((event: { kind: string }) => event.kind)).toEqual([
      'queued',
      'claimed',
      'lease-expired',
      'claimed',
    ])
  })

  it('replies to the person once per key', async () => {
    const { reference } = await harness.route('Is this medicine safe?')
    const { json } = await claim(reference, 'amina')
    const reply = () =>
      harness.api('POST', `/api/teams/nurses/items/${reference}/reply`, {
        body: { lease: json.lease, text: 'Yes, take it after food.' },
        headers: { 'idempotency-key': 'reply-1' },
      })

    const first = await reply()
    const repeat = await reply()

    expect(first.status).toBe(200)
    expect(repeat.status).toBe(200)
    const replies = harness.sent.filter((sms) => sms.to === person && sms.text.startsWith('Yes'))
    expect(replies.map((sms) => sms.text)).toEqual([`Yes, take it after food. (Ref ${reference})`])
    const contact = await harness.contacts.get(person)
    expect(contact?.history.at(-1)).toMatchObject({
      kind: 'sms-out',
      text: `Yes, take it after food. (Ref ${reference})`,
      outcome: `reply:${reference}`,
    })
  })

  it('records a note without an SMS', async () => {
    const { reference } = await harness.route('Is this medicine safe?')
    const before = harness.sent.length

    const { status } = await harness.api('POST', `/api/teams/nurses/items/${reference}/notes`, {
      body: { agent: 'amina', text: 'Called her, no answer.' },
    })

    expect(status).toBe(200)
    const { json } = await harness.api('GET', `/api/teams/nurses/items/${reference}`)
    expect(json.events.at(-1)).toMatchObject({
      kind: 'note',
      by: 'amina',
      text: 'Called her, no answer.',
    })
    expect(harness.sent.length).toBe(before)
  })

  it('transfers an item to finance', async () => {
    const { reference } = await harness.route('The clinic charged me twice for tablets')
    const { json: claimed } = await claim(reference, 'amina')

    const moved = await harness.api('POST', `/api/teams/nurses/items/${reference}/transfer`, {
      body: { to: 'finance', agent: 'amina', lease: claimed.lease, note: 'A billing question.' },
    })
    const nurses = await harness.api('GET', '/api/teams/nurses/items')
    const finance = await harness.api('GET', '/api/teams/finance/items', { team: 'finance' })
    const oldCopy = await harness.api('POST', `/api/teams/nurses/items/${reference}/reply`, {
      body: { lease: claimed.lease, text: 'hello' },
    })

    expect(moved.status).toBe(200)
    expect(moved.json.item).toMatchObject({ reference, team: 'finance', status: 'queued' })
    expect(nurses.json.items).toEqual([])
    expect(finance.json.items.map((item: { reference: string }) => item.reference)).toEqual([
      reference,
    ])
    expect(oldCopy.json).toEqual({
      problem: 'moved',
      error: `${reference} was transferred to team finance.`,
    })
    const events = await harness.api('GET', `/api/teams/finance/items/${reference}`, {
      team: 'finance',
    })
    expect(events.json.events.at(-1)).toMatchObject({
      kind: 'transferred-in',
      by: 'amina',
      team: 'nurses',
      text: 'A billing question.',
    })
  })

  it('resolves with a closing SMS', async () => {
    const { reference } = await harness.route('I paid 500 but it is not reflected', {
      to: '21513',
    })
    const { json } = await claim(reference, 'wanjiru', 'finance')
    const resolve = () =>
      harness.api('POST', `/api/teams/finance/items/${reference}/resolve`, {
        team: 'finance',
        body: { lease: json.lease, text: 'We found your payment of KES 500.' },
      })

    const first = await resolve()
    const repeat = await resolve()

    expect(first.status).toBe(200)
    expect(first.json.item).toMatchObject({ status: 'resolved', resolvedBy: 'wanjiru' })
    expect(repeat.status).toBe(200)
    const closing = harness.sent.filter((sms) => sms.text.includes('is resolved'))
    expect(closing).toEqual([
      expect.objectContaining({
        to: person,
        text: `Your payment query ${reference} is resolved: We found your payment of KES 500.`,
      }),
    ])
    const list = await harness.api('GET', '/api/teams/finance/items', { team: 'finance' })
    expect(list.json.items).toEqual([])
  })

  it('closes in Swahili for a Swahili contact', async () => {
    await harness.contacts.update(person, (contact) => contactChanges.setLanguage(contact, 'sw'))
    const { reference, acknowledgement } = await harness.route('Dawa hii ni salama?')
    const { json } = await claim(reference, 'amina')

    await harness.api('POST', `/api/teams/nurses/items/${reference}/resolve`, {
      body: { lease: json.lease, text: 'Ndiyo, inywe baada ya chakula.' },
    })

    expect(acknowledgement).toBe(
      `Asante. Muuguzi atakujibu ndani ya saa 24. Kumbukumbu yako ni ${reference}.`,
    )
    expect(harness.sent.at(-1)?.text).toBe(
      `Ombi lako ${reference} (swali la dawa) limeshughulikiwa: Ndiyo, inywe baada ya chakula.`,
    )
  })

  it.each([
    {
      label: 'a reply without its claim',
      path: 'reply',
      body: { lease: 'made-up', text: 'hi' },
      status: 409,
      error: 'is not claimed. Claim it first.',
    },
    {
      label: 'an empty reply',
      path: 'reply',
      body: { lease: 'x', text: '  ' },
      status: 400,
      error: 'Invalid body. text: Too small: expected string to have >=1 characters.',
    },
    {
      label: 'a transfer to an unknown team',
      path: 'transfer',
      body: { to: 'pharmacy' },
      status: 400,
      error: 'Team pharmacy is not known. Use one of: finance.',
    },
    {
      label: 'a transfer to its own team',
      path: 'transfer',
      body: { to: 'nurses' },
      status: 400,
      error: 'The item is already in team nurses. Pick another team.',
    },
    {
      label: 'an unknown field',
      path: 'notes',
      body: { text: 'x', colour: 'red' },
      status: 400,
      error: 'Invalid body. body: Unrecognized key: "colour".',
    },
  ])('rejects $label', async ({ path, body, status, error }) => {
    const { reference } = await harness.route('Is this medicine safe?')

    const response = await harness.api('POST', `/api/teams/nurses/items/${reference}/${path}`, {
      body,
    })

    expect(response.status).toBe(status)
    expect(response.json.error).toMatch(error)
  })

  it.each([
    {
      label: 'unknown reference',
      reference: 'REF-ZZZZZZ',
      error: 'Team nurses has no item REF-ZZZZZZ.',
    },
    {
      label: 'malformed reference',
      reference: 'REF-1',
      error: '"REF-1" is not a reference such as REF-7KX4M2.',
    },
  ])('answers 404 for $label', async ({ reference, error }) => {
    const response = await harness.api('GET', `/api/teams/nurses/items/${reference}`)

    expect(response.status).toBe(404)
    expect(response.json.error).toBe(error)
  })
})

describe('closing SMS at the SMS API', () => {
  let fake: FakeAfricasTalking
  let harness: RoutingHarness

  beforeEach(async () => {
    fake = await startFakeAfricasTalking()
    harness = await createRoutingHarness({
      environment: {
        AT_USERNAME: fake.username,
        AT_API_KEY: fake.apiKey,
        AT_API_URL: fake.url,
        SMS_RATE_PER_SECOND: '1000',
      },
    })
    harness.messaging.worker.start()
  })

  afterEach(async () => {
    await harness.close()
    await fake.close()
  })

  it("reaches Africa's Talking", async () => {
    const { reference } = await harness.route('Nimelipa lakini haijaonekana', { to: '21513' })
    const { json } = await harness.api('POST', `/api/teams/finance/items/${reference}/claim`, {
      team: 'finance',
      body: { agent: 'wanjiru' },
    })
    await harness.api('POST', `/api/teams/finance/items/${reference}/reply`, {
      team: 'finance',
      body: { lease: json.lease, text: 'Please send the M-Pesa code.' },
    })
    await harness.api('POST', `/api/teams/finance/items/${reference}/resolve`, {
      team: 'finance',
      body: { lease: json.lease, text: 'Your payment is now on your loan.' },
    })

    await expect.poll(() => fake.sends().length, { timeout: 10_000 }).toBe(2)
    expect(fake.sends().map((request) => [request.form['to'], request.form['message']])).toEqual([
      [person, `Please send the M-Pesa code. (Ref ${reference})`],
      [person, `Your payment query ${reference} is resolved: Your payment is now on your loan.`],
    ])
  })
})
