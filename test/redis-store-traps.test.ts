import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { createLogger } from '../src/logger.ts'
import { RedisSessionStore } from '../src/store/redis-store.ts'
import type { SessionRecord, SessionStore } from '../src/store/session-store.ts'
import { walletBackend } from './fixtures/flows/wallet-backend.ts'
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.ts'
import { sessionRecord } from './support/session-record.ts'
import { freePort, startRedisServer } from './support/start-redis.ts'
import { createTestSwitchboard, LogCapture } from './support/test-switchboard.ts'
import { walk, type HopResult } from './support/ussd-client.ts'

const mainMenu = 'CON Welcome\n1. Check balance\n2. Send money\n3. Register'
const recipientScreen = 'CON Enter recipient phone\n0. Back'
const amountScreen = 'CON Enter amount\n0. Back'
const confirmScreen = 'CON Send KES 500 to +254700000002?\n1. Confirm\n0. Back'
const sentScreen = 'END Sent. You will get an SMS.'
const validReply = /^(CON|END) \S/

const moneyFlow = ['', '2', '2*0700000002', '2*0700000002*500', '2*0700000002*500*1']

// Generous, because these tests are about correctness and a loaded CI machine can be slow.
const commandTimeoutMs = 5000

let plain: Redis

beforeAll(() => {
  plain = new Redis(inject('redisUrl'))
})

afterAll(async () => {
  await plain.quit()
})

beforeEach(() => {
  walletBackend.reset()
})

describe('redis store race', () => {
  it('lost race commit returns false', async () => {
    const keyPrefix = `test:traps:${crypto.randomUUID()}:`
    const first = await connect(inject('redisUrl'), keyPrefix)
    const second = await connect(inject('redisUrl'), keyPrefix)
    const key = 'africastalking:ATUid_race'
    await first.commit(sessionRecord({ key }), 60)

    const loaded = await first.load(key)
    const winner = sessionRecord({ key, version: 2, value: 'recipient' })
    await second.commit(winner, 60)
    const outcome = await first.commit(
      sessionRecord({ key, version: (loaded?.version ?? 0) + 1, value: 'load_balance' }),
      60,
    )

    expect(loaded?.version).toBe(1)
    expect(outcome).toBe(false)
    expect(await first.load(key)).toEqual(winner)
    await first.close()
    await second.close()
  })

  it('concurrent retries apply input once', async () => {
    const barrier = withLoadBarrier(
      await connect(inject('redisUrl'), `test:traps:${crypto.randomUUID()}:`),
    )
    const board = await createTestSwitchboard({ overrides: { store: barrier.store } })
    const sessionId = 'ATUid_race_retry'
    await board.hop({ sessionId, text: '' })

    barrier.hold(2)
    const replies = await Promise.all([
      board.hop({ sessionId, text: '2' }),
      board.hop({ sessionId, text: '2' }),
    ])

    expect(replies.map((reply) => reply.status)).toEqual([200, 200])
    expect(replies.map((reply) => reply.body)).toEqual([recipientScreen, recipientScreen])
    expect(barrier.counts.conflicts).toBeGreaterThanOrEqual(1)
    expect((await barrier.store.load(`africastalking:${sessionId}`))?.version).toBe(2)
    await board.close()
  })

  it('concurrent different hops both commit', async () => {
    const barrier = withLoadBarrier(
      await connect(inject('redisUrl'), `test:traps:${crypto.randomUUID()}:`),
    )
    const board = await createTestSwitchboard({ overrides: { store: barrier.store } })
    const sessionId = 'ATUid_race_different'
    await walk(board.hop, sessionId, ['', '2'])

    barrier.hold(2)
    const replies = await Promise.all([
      board.hop({ sessionId, text: '2*0700000002' }),
      board.hop({ sessionId, text: '2*0700000002*500' }),
    ])

    for (const reply of replies) {
      expect(reply.status).toBe(200)
      expect(reply.body).toMatch(validReply)
    }
    expect(barrier.counts.conflicts).toBeGreaterThanOrEqual(1)
    // Both hops saved one version each: the loser reloaded instead of overwriting the winner.
    expect((await barrier.store.load(`africastalking:${sessionId}`))?.version).toBe(4)
    expect(board.logs.text()).toContain('session changed during the hop, retrying')
    await board.close()
  })
})

describe('redis store keyPrefix', () => {
  let directory: string
  let redis: ChildProcess
  let url: string

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-prefix-'))
    const port = await freePort()
    redis = await startRedisServer(port, directory)
    url = `redis://127.0.0.1:${port}`
  })

  afterAll(async () => {
    redis?.kill('SIGKILL')
    if (directory) await rm(directory, { recursive: true, force: true })
  })

  it('removeSessionsOf deletes prefixed keys once', async () => {
    const inspector = new Redis(url)
    // monitor() opens a second connection, so the client it was called on must be closed too.
    const monitorSource = new Redis(url)
    const monitor = await monitorSource.monitor()
    const commands: string[][] = []
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args))

    const store = await connect(url, 'ussd:')
    const ids = ['ATUid_prefix_1', 'ATUid_prefix_2', 'ATUid_prefix_3']
    for (const id of ids) await store.commit(sessionRecord({ key: `africastalking:${id}` }), 60)
    const other = sessionRecord({
      key: 'africastalking:ATUid_prefix_other',
      msisdn: '+254700000002',
    })
    await store.commit(other, 60)

    const removed = await store.removeSessionsOf('+254700000001')
    await waitForMonitor(inspector, commands)
    const storeArguments = commands.flat()

    expect(removed).toBe(3)
    expect(await inspector.keys('ussd:*')).toEqual([
      'ussd:session:{africastalking:ATUid_prefix_other}',
    ])
    expect(await inspector.keys('ussd:ussd:*')).toEqual([])
    expect(storeArguments.filter((arg) => arg.startsWith('ussd:ussd:'))).toEqual([])
    expect(await store.load(other.key)).toEqual(other)
    await store.close()
    monitor.disconnect()
    monitorSource.disconnect()
    inspector.disconnect()
  })
})

describe('redis cluster store', () => {
  let directory: string
  let cluster: RedisCluster
  let store: RedisSessionStore
  const storeLogs = new LogCapture()

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-cluster-'))
    cluster = await startRedisCluster(directory)
    store = await RedisSessionStore.connectCluster({
      nodes: cluster.nodes,
      keyPrefix: 'sb:',
      commandTimeoutMs,
      logger: createLogger({ level: 'debug', destination: storeLogs }),
    })
  })

  afterAll(async () => {
    await store?.close()
    await cluster?.stop()
    if (directory) await rm(directory, { recursive: true, force: true })
  })

  it('walks money flow on cluster', async () => {
    const board = await createTestSwitchboard({ overrides: { store } })

    const replies = await walk(board.hop, 'ATUid_cluster', moneyFlow)

    expect(replies).toEqual([mainMenu, recipientScreen, amountScreen, confirmScreen, sentScreen])
    expect(walletBackend.payments).toHaveLength(1)
    expect(walletBackend.payments[0]).toMatchObject({ to: '+254700000002', amount: 500 })
    expect(board.effects.sent.map((effect) => effect.text)).toEqual([
      'You sent KES 500 to +254700000002.',
    ])
    expect(board.logs.text()).not.toContain('CROSSSLOT')
    expect(storeLogs.text()).not.toContain('CROSSSLOT')
    expect(board.logs.text()).not.toContain('session store unavailable')
  })

  it('removeSessionsOf spans all masters', async () => {
    const ids = Array.from({ length: 12 }, (_, n) => `africastalking:ATUid_cluster_${n}`)
    for (const key of ids) await store.commit(sessionRecord({ key, msisdn: '+254700000003' }), 60)
    const otherSubscriber = sessionRecord({ key: 'africastalking:ATUid_cluster_kept' })
    await store.commit(otherSubscriber, 60)
    const mastersBefore = await mastersHolding(
      cluster,
      'sb:session:{africastalking:ATUid_cluster_*',
    )

    const removed = await store.removeSessionsOf('+254700000003')

    // Twelve hash tags spread over three masters, because one master with all of them proves nothing.
    expect(mastersBefore.filter((count) => count > 0).length).toBeGreaterThan(1)
    expect(removed).toBe(12)
    for (const key of ids) expect(await store.load(key)).toBeNull()
    expect(await store.load(otherSubscriber.key)).toEqual(otherSubscriber)
    expect(storeLogs.text()).not.toContain('CROSSSLOT')
  })

  it('timers and drafts run on cluster', async () => {
    const dueAt = 1_714_557_600_000
    const timer = {
      id: 'cluster-timer',
      sessionKey: 'africastalking:ATUid_cluster_timer',
      version: 2,
      event: { type: 'reminder' },
      dueAt,
    }
    const draft = {
      msisdn: '+254700000001',
      flowId: 'wallet',
      flowVersion: 1,
      flowRevision: 'test',
      value: 'amount',
      context: {},
      history: [],
      savedAt: dueAt,
    }

    await store.scheduleTimer(timer)
    await store.saveDraft(draft, 60)

    expect(await store.claimDueTimers(dueAt, 10, 30_000)).toEqual([timer])
    await store.completeTimer(timer.id)
    expect(await store.claimDueTimers(dueAt + 60_000, 10, 30_000)).toEqual([])
    expect(await store.loadDraft(draft.msisdn, draft.flowId)).toEqual(draft)
    expect(storeLogs.text()).not.toContain('CROSSSLOT')
  })
})

describe('redis session lifecycle', () => {
  it('restores session after restart', async () => {
    const sessionId = 'ATUid_restore'
    const first = await createTestSwitchboard({ store: 'redis' })
    const rawKey = `${first.keyPrefix}session:{africastalking:${sessionId}}`
    const fields = { sessionId }

    const replies: HopResult[] = []
    for (const [index, text] of moneyFlow.slice(0, 4).entries()) {
      replies.push(await first.hop({ ...fields, text }))
      const stored = await readRaw(rawKey)
      expect(stored.version).toBe(index + 1)
      expect(stored.record.version).toBe(index + 1)
      expect(stored.record.status).toBe('active')
    }
    expect(replies.map((reply) => reply.body)).toEqual([
      mainMenu,
      recipientScreen,
      amountScreen,
      confirmScreen,
    ])
    await first.close()

    const second = await createTestSwitchboard({
      store: 'redis',
      environment: { REDIS_KEY_PREFIX: first.keyPrefix },
    })
    const replay = await second.hop({ ...fields, text: '2*0700000002*500' })
    expect(replay).toEqual(replies[3])
    expect((await readRaw(rawKey)).version).toBe(4)

    const sent = await second.hop({ ...fields, text: '2*0700000002*500*1' })
    expect(sent.body).toBe(sentScreen)
    const done = await readRaw(rawKey)
    expect(done.version).toBe(5)
    expect(done.record.status).toBe('done')
    expect(walletBackend.payments).toHaveLength(1)

    const after = await second.hop({ ...fields, text: '2*0700000002*500*1*1' })
    expect(after.status).toBe(200)
    expect(after.body.startsWith('END This session has ended.')).toBe(true)
    expect((await readRaw(rawKey)).version).toBe(5)
    await second.close()
  })
})

/**
 * Wraps a store so that, once armed with `hold(n)`, the next `n` loads wait until all of them have
 * read. Hops sent together are then certain to load the same version. Counts lost commits.
 */
function withLoadBarrier(inner: SessionStore) {
  let expected = 0
  const waiting: (() => void)[] = []
  const counts = { conflicts: 0 }

  const load = async (key: string): Promise<SessionRecord | null> => {
    const record = await inner.load(key)
    if (expected === 0) return record

    await new Promise<void>((resolve) => {
      waiting.push(resolve)
      if (waiting.length < expected) return
      expected = 0
      for (const release of waiting.splice(0)) release()
    })
    return record
  }

  const commit = async (record: SessionRecord, ttlSeconds: number): Promise<boolean> => {
    const saved = await inner.commit(record, ttlSeconds)
    if (!saved) counts.conflicts += 1
    return saved
  }

  // Every other method goes to the wrapped store unchanged.
  const store = new Proxy(inner, {
    get(target, name) {
      if (name === 'load') return load
      if (name === 'commit') return commit
      const value: unknown = Reflect.get(target, name)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })

  return {
    store,
    counts,
    hold(loads: number): void {
      expected = loads
    },
  }
}

function connect(url: string, keyPrefix: string): Promise<RedisSessionStore> {
  return RedisSessionStore.connect({
    url,
    keyPrefix,
    commandTimeoutMs,
    logger: createLogger({ level: 'silent' }),
  })
}

async function readRaw(rawKey: string): Promise<{ version: number; record: SessionRecord }> {
  const raw = await plain.get(rawKey)
  if (raw === null) throw new Error(`Session key ${rawKey} is missing from Redis.`)

  const separator = raw.indexOf('|')
  return {
    version: Number(raw.slice(0, separator)),
    record: JSON.parse(raw.slice(separator + 1)) as SessionRecord,
  }
}

// MONITOR streams commands in the order the server ran them, so once a marker command shows up
// every command before it has been seen.
async function waitForMonitor(client: Redis, commands: string[][]): Promise<void> {
  const marker = `monitor-marker:${crypto.randomUUID()}`
  await client.get(marker)
  const deadline = Date.now() + 5000
  while (!commands.some((args) => args.includes(marker))) {
    if (Date.now() > deadline) throw new Error(`MONITOR did not report ${marker} within 5000 ms.`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function mastersHolding(cluster: RedisCluster, pattern: string): Promise<number[]> {
  return Promise.all(
    cluster.nodes.map(async ({ host, port }) => {
      const node = new Redis({ host, port })
      const keys = await node.keys(pattern)
      node.disconnect()
      return keys.length
    }),
  )
}
