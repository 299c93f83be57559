import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createLogger } from '../src/logger.ts'
import { MemorySessionStore } from '../src/store/memory-store.ts'
import { RedisSessionStore } from '../src/store/redis-store.ts'
import { describeSessionStoreContract, type StoreUnderTest } from './store-contract.ts'
import { sessionRecord } from './support/session-record.ts'

// One prefix for this file, so its keys never meet those of other suites on the shared server.
const keyPrefix = `test:session-store:${randomUUID()}:`
const logger = createLogger({ level: 'silent' })

let plain: Redis

beforeAll(() => {
  plain = new Redis(inject('redisUrl'))
})

afterAll(async () => {
  await plain.quit()
})

describeSessionStoreContract(
  'memory',
  async () => {
    let clock = 1_714_557_600_000
    const store = new MemorySessionStore({ now: () => clock })
    return {
      store,
      elapse: async (ms: number) => {
        clock += ms
      },
    }
  },
  async ({ store }) => store.close(),
)

describeSessionStoreContract('redis', connectStore, removeKeysAndClose)

describe('redis session store', () => {
  it('commit sets PTTL on raw key', async () => {
    const { store } = await connectStore()
    const record = sessionRecord({ key: 'africastalking:ATUid_pttl' })

    await store.commit(record, 240)

    const rawKey = store.sessionKeyOf(record.key)
    const pttl = await plain.pttl(rawKey)
    expect(rawKey).toBe(`${keyPrefix}session:{africastalking:ATUid_pttl}`)
    expect(pttl).toBeGreaterThan(230_000)
    expect(pttl).toBeLessThanOrEqual(240_000)
    await removeKeysAndClose({ store })
  })

  it('commit stores version before JSON', async () => {
    const { store } = await connectStore()
    const record = sessionRecord({ key: 'africastalking:ATUid_raw' })

    await store.commit(record, 60)

    const raw = await plain.get(store.sessionKeyOf(record.key))
    expect(raw).toBe(`1|${JSON.stringify(record)}`)
    await removeKeysAndClose({ store })
  })

  it('removeSessionsOf escapes glob characters in prefix', async () => {
    // SCAN patterns treat * ? [ ] and backslash as glob syntax, so a literal prefix needs escapes.
    const globPrefix = `${keyPrefix}[app*1]?\\:`
    const store = await RedisSessionStore.connect({
      url: inject('redisUrl'),
      keyPrefix: globPrefix,
      commandTimeoutMs: 1000,
      logger,
    })
    const records = ['ATUid_glob_1', 'ATUid_glob_2'].map((id) =>
      sessionRecord({ key: `africastalking:${id}` }),
    )
    for (const record of records) await store.commit(record, 60)

    expect(await store.removeSessionsOf('+254700000001')).toBe(2)
    for (const record of records) expect(await store.load(record.key)).toBeNull()
    await removeKeysAndClose({ store })
  })
})

async function connectStore(): Promise<StoreUnderTest & { store: RedisSessionStore }> {
  const store = await RedisSessionStore.connect({
    url: inject('redisUrl'),
    keyPrefix,
    commandTimeoutMs: 1000,
    logger,
  })
  return { store, elapse: shortenTimesToLive }
}

// Redis expires keys by its own clock, so letting time pass means shortening each PTTL.
async function shortenTimesToLive(ms: number): Promise<void> {
  for (const key of await plain.keys(`${keyPrefix}*`)) {
    const pttl = await plain.pttl(key)
    // PTTL is -1 for a key that never expires.
    if (pttl < 0) continue

    // PEXPIRE with a timeout of zero or less deletes the key, as expiry would.
    await plain.pexpire(key, pttl - ms)
  }
}

async function removeKeysAndClose({ store }: { store: RedisSessionStore }): Promise<void> {
  const keys = await plain.keys(`${keyPrefix}*`)
  if (keys.length > 0) await plain.del(...keys)
  await store.close()
}
