import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createLogger } from '../src/logger.ts'
import type { EarlierRequest } from '../src/routing/item-context.ts'
import { MemoryTeamQueueStore } from '../src/routing/memory-team-queue-store.ts'
import type { ItemEvent, Priority, QueueItem } from '../src/routing/queue-item.ts'
import { RedisTeamQueueStore } from '../src/routing/redis-team-queue-store.ts'
import type { TeamQueueStore } from '../src/routing/team-queue-store.ts'
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.ts'
import { LogCapture } from './support/test-switchboard.ts'

const start = Date.parse('2025-03-03T07:00:00Z')

interface Subject {
  readonly store: TeamQueueStore
  /** Lets `ms` pass for expiry: a manual clock in memory, real time in Redis. */
  readonly wait: (ms: number) => Promise<void>
}

let sequence = 0

function newItem(overrides: Partial<QueueItem> = {}): QueueItem {
  sequence += 1
  return {
    reference: `REF-${String(sequence).padStart(6, 'A')}`,
    team: 'nurses',
    program: 'clinic',
    category: 'medication',
    priority: 'normal',
    rule: 'medication',
    status: 'queued',
    version: 1,
    message: {
      id: `africastalking:store-${sequence}-${randomUUID()}`,
      channel: 'sms',
      from: '+254700000001',
      to: '21512',
      text: 'How many tablets?',
      receivedAt: start,
    },
    context: {
      contact: { msisdn: '+254700000001', optedOut: false },
      recentSent: [],
      askedBefore: [],
      sessions: [],
    },
    language: 'en',
    createdAt: start,
    queuedAt: start,
    ...overrides,
  }
}

const queuedEvent: ItemEvent = { at: start, kind: 'queued', by: 'switchboard' }

/** Runs the team queue store contract against one implementation. */
function queueStoreContract(name: string, subject: () => Subject) {
  describe(`${name} team queue store`, () => {
    it('inserts an item at version 1', async () => {
      const { store } = subject()
      const item = newItem({ team: `t${sequence}` })

      const result = await store.insert({ ...item, version: 7 }, queuedEvent)

      expect(result).toEqual({ status: 'created', item: { ...item, version: 1 } })
      expect(await store.load(item.team, item.reference)).toEqual({ ...item, version: 1 })
      expect(await store.events(item.team, item.reference)).toEqual([queuedEvent])
    })

    it('finds the item of a repeated message', async () => {
      const { store } = subject()
      const item = newItem({ team: `t${sequence}` })
      await store.insert(item, queuedEvent)

      const again = await store.insert({ ...item, reference: 'REF-ZZZZZZ' }, queuedEvent)

      expect(again).toEqual({ status: 'exists', item })
      expect(await store.load(item.team, 'REF-ZZZZZZ')).toBeNull()
      expect(await store.events(item.team, item.reference)).toHaveLength(1)
    })

    it('rejects a reference already taken', async () => {
      const { store } = subject()
      const first = newItem({ team: `t${sequence}` })
      await store.insert(first, queuedEvent)
      const second = newItem({ team: first.team, reference: first.reference })

      expect(await store.insert(second, queuedEvent)).toEqual({ status: 'reference-taken' })
      expect(await store.load(first.team, first.reference)).toEqual(first)
    })

    it('orders by priority then age', async () => {
      const { store } = subject()
      const team = `t${sequence}`
      const add = async (priority: Priority, queuedAt: number) => {
        const item = newItem({ team, priority, queuedAt })
        await store.insert(item, queuedEvent)
        return item.reference
      }
      const oldNormal = await add('normal', start)
      const newUrgent = await add('urgent', start + 5000)
      const newNormal = await add('normal', start + 1000)
      const oldUrgent = await add('urgent', start + 10)
      const high = await add('high', start + 9000)

      expect(await store.queued(team, 10)).toEqual([
        oldUrgent,
        newUrgent,
        high,
        oldNormal,
        newNormal,
      ])
      expect(await store.queued(team, 2)).toEqual([oldUrgent, newUrgent])
      expect(await store.counts(team)).toEqual({ queued: 5, leased: 0 })
    })

    it('commits only the next version', async () => {
      const { store } = subject()
      const item = newItem({ team: `t${sequence}` })
      await store.insert(item, queuedEvent)
      const note: ItemEvent = { at: start + 1, kind: 'note', by: 'amina', text: 'called her' }

      const saved = await store.commit({ ...item, version: 2 }, [note], 1000)
      const stale = await store.commit({ ...item, version: 2, priority: 'urgent' }, [note], 1000)

      expect(saved).toBe(true)
      expect(stale).toBe(false)
      expect((await store.load(item.team, item.reference))?.priority).toBe('normal')
      expect(await store.events(item.team, item.reference)).toEqual([queuedEvent, note])
    })

    it('files a claimed item by lease end', async () => {
      const { store } = subject()
      const team = `t${sequence}`
      const early = newItem({ team })
      const late = newItem({ team })
      await store.insert(early, queuedEvent)
      await store.insert(late, queuedEvent)

      const claim = (item: QueueItem, leaseUntil: number) =>
        store.commit(
          { ...item, version: 2, status: 'claimed', claimedBy: 'amina', lease: 'x', leaseUntil },
          [],
          1000,
        )
      await claim(late, start + 20_000)
      await claim(early, start + 10_000)

      expect(await store.queued(team, 10)).toEqual([])
      expect(await store.leased(team, 10)).toEqual([early.reference, late.reference])
      expect(await store.expiredLeases(team, start + 9_999, 10)).toEqual([])
      expect(await store.expiredLeases(team, start + 10_000, 10)).toEqual([early.reference])
      expect(await store.expiredLeases(team, start + 30_000, 10)).toEqual([
        early.reference,
        late.reference,
      ])
      expect(await store.counts(team)).toEqual({ queued: 0, leased: 2 })
    })

    it('files a resolved item in neither set', async () => {
      const { store } = subject()
      const item = newItem({ team: `t${sequence}` })
      await store.insert(item, queuedEvent)

      await store.commit({ ...item, version: 2, status: 'resolved', resolvedAt: start }, [], 60_000)

      expect(await store.queued(item.team, 10)).toEqual([])
      expect(await store.leased(item.team, 10)).toEqual([])
      expect(await store.counts(item.team)).toEqual({ queued: 0, leased: 0 })
      expect((await store.load(item.team, item.reference))?.status).toBe('resolved')
    })

    it('drops a resolved item after retention', async () => {
      const { store, wait } = subject()
      const item = newItem({ team: `t${sequence}` })
      await store.insert(item, queuedEvent)
      await store.commit({ ...item, version: 2, status: 'resolved' }, [], 100)

      await wait(150)

      expect(await store.load(item.team, item.reference)).toBeNull()
      expect(await store.events(item.team, item.reference)).toEqual([])
      expect((await store.insert(item, queuedEvent)).status).toBe('created')
    })

    it('keeps teams apart', async () => {
      const { store } = subject()
      const item = newItem({ team: `t${sequence}` })
      await store.insert(item, queuedEvent)

      expect(await store.load('other', item.reference)).toBeNull()
      expect(await store.queued('other', 10)).toEqual([])
      expect((await store.insert({ ...item, team: 'other' }, queuedEvent)).status).toBe('created')
    })

    it('remembers the newest requests', async () => {
      const { store } = subject()
      const msisdn = `+2547000${String(10_000 + sequence).slice(-5)}`
      const request = (index: number): EarlierRequest => ({
        reference: `REF-AAAA${index}A`,
        messageId: `m${index}`,
        team: 'nurses',
        category: 'medication',
        text: `question ${index}`,
        at: start + index,
        channel: 'sms',
      })
      for (let index = 0; index < 12; index += 1)
        await store.rememberRequest(msisdn, request(index))
      await store.rememberRequest(msisdn, request(11))

      const earlier = await store.earlierRequests(msisdn)

      expect(earlier.map((entry) => entry.messageId)).toEqual([
        'm11',
        'm10',
        'm9',
        'm8',
        'm7',
        'm6',
        'm5',
        'm4',
        'm3',
        'm2',
      ])
      expect(await store.earlierRequests('+254799999999')).toEqual([])
    })
  })
}

const clock = { now: start }
const memoryStore = new MemoryTeamQueueStore(() => clock.now)
queueStoreContract('memory', () => ({
  store: memoryStore,
  wait: async (ms) => {
    clock.now += ms
  },
}))

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const logs = new LogCapture()
const logger = createLogger({ level: 'debug', destination: logs })
const keyPrefix = `test:${randomUUID()}:`
let redisStore: RedisTeamQueueStore

describe('redis', () => {
  beforeAll(async () => {
    redisStore = await RedisTeamQueueStore.connect({
      url: inject('redisUrl'),
      keyPrefix,
      commandTimeoutMs: 1000,
      logger,
    })
  })

  afterAll(async () => {
    await redisStore?.close()
  })

  queueStoreContract('redis', () => ({ store: redisStore, wait: sleep }))

  it('keys each team under one hash tag', async () => {
    const item = newItem({ team: 'tagged' })
    await redisStore.insert(item, queuedEvent)
    await redisStore.commit({ ...item, version: 2, status: 'claimed', leaseUntil: start }, [], 1000)

    const inspector = new Redis(inject('redisUrl'))
    const keys = await inspector.keys(`${keyPrefix}routing:{team:tagged}*`)
    await inspector.quit()

    expect(keys.sort()).toEqual(
      [
        'item:' + item.reference,
        'leases',
        'log:' + item.reference,
        'message:' + item.message.id,
      ].map((suffix) => `${keyPrefix}routing:{team:tagged}:${suffix}`),
    )
  })
})

describe('redis cluster', () => {
  let directory: string
  let cluster: RedisCluster
  let clusterStore: RedisTeamQueueStore

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-cluster-'))
    cluster = await startRedisCluster(directory)
    clusterStore = await RedisTeamQueueStore.connectCluster({
      nodes: cluster.nodes,
      keyPrefix: 'sb:',
      commandTimeoutMs: 1000,
      logger,
    })
  }, 60_000)

  afterAll(async () => {
    await clusterStore?.close()
    await cluster?.stop()
    if (directory) await rm(directory, { recursive: true, force: true })
  })

  queueStoreContract('redis cluster', () => ({ store: clusterStore, wait: sleep }))

  it('logs no cross-slot error', () => {
    expect(logs.text()).not.toContain('CROSSSLOT')
  })
})
