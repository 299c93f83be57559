import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { createLogger } from '../src/logger.ts'
import type { InboundStore } from '../src/messaging/inbound/inbound-store.ts'
import { MemoryInboundStore } from '../src/messaging/inbound/memory-inbound-store.ts'
import type { InboundSms } from '../src/messaging/inbound/parse-inbound-sms.ts'
import { inboundKey, RedisInboundStore } from '../src/messaging/inbound/redis-inbound-store.ts'
import { StoreUnavailableError } from '../src/store/session-store.ts'
import { freePort } from './support/start-redis.ts'

// One prefix for this file, so its keys never meet those of other suites on the shared server.
const keyPrefix = `test:inbound-store:${randomUUID()}:`
const logger = createLogger({ level: 'silent' })
const start = Date.UTC(2024, 4, 1, 10, 0, 0)
const hour = 60 * 60 * 1000

/** A store built for one contract test, with a clock that both the test and the store read. */
interface InboundStoreUnderTest {
  readonly store: InboundStore
  /** Lets `ms` milliseconds pass for the stored message `id`. */
  elapse(id: string, ms: number): Promise<void>
  setNow(ms: number): void
}

let plain: Redis

beforeAll(() => {
  plain = new Redis(inject('redisUrl'))
})

afterAll(async () => {
  const keys = await plain.keys(`${keyPrefix}*`)
  if (keys.length > 0) await plain.del(...keys)
  await plain.quit()
})

function inboundSms(fields: Partial<InboundSms> = {}): InboundSms {
  const providerId = fields.providerId ?? randomUUID()
  return {
    id: `africastalking:${providerId}`,
    provider: 'africastalking',
    providerId,
    from: '+254700000001',
    to: '40123',
    text: 'Pay 100+20 😀',
    matchText: 'Pay 100+20 😀',
    receivedAt: start,
    linkId: '03090445075804249226',
    ...fields,
  }
}

function describeInboundStoreContract(
  name: string,
  createStore: (windowSeconds?: number) => Promise<InboundStoreUnderTest>,
): void {
  describe(`${name} inbound store contract`, () => {
    let subject: InboundStoreUnderTest
    let store: InboundStore

    beforeEach(async () => {
      subject = await createStore()
      store = subject.store
    })

    afterEach(async () => {
      await store.close()
    })

    it('saveIfNew stores new message', async () => {
      const message = inboundSms()

      expect(await store.saveIfNew(message)).toBe(true)
      expect(await store.get(message.id)).toEqual({ message, storedAt: start })
    })

    it('saveIfNew of repeat returns false', async () => {
      const message = inboundSms()
      await store.saveIfNew(message)

      expect(await store.saveIfNew(message)).toBe(false)
    })

    it('repeat keeps first stored copy', async () => {
      const first = inboundSms()
      const retry = { ...first, text: 'changed', receivedAt: start + 5000 }
      await store.saveIfNew(first)
      subject.setNow(start + 5000)

      await store.saveIfNew(retry)

      expect(await store.get(first.id)).toEqual({ message: first, storedAt: start })
    })

    it('repeat after handling returns false', async () => {
      const message = inboundSms()
      await store.saveIfNew(message)
      await store.markHandled(message.id, 'opt-out')

      expect(await store.saveIfNew(message)).toBe(false)
    })

    it('different ids are both new', async () => {
      expect(await store.saveIfNew(inboundSms({ providerId: 'a' }))).toBe(true)
      expect(await store.saveIfNew(inboundSms({ providerId: 'b' }))).toBe(true)
    })

    it('get of unknown id is null', async () => {
      expect(await store.get('africastalking:unknown')).toBeNull()
    })

    it('markHandled records outcome and time', async () => {
      const message = inboundSms()
      await store.saveIfNew(message)
      subject.setNow(start + 1500)

      expect(await store.markHandled(message.id, 'queued:support')).toBe(true)
      expect(await store.get(message.id)).toEqual({
        message,
        storedAt: start,
        outcome: 'queued:support',
        handledAt: start + 1500,
      })
    })

    it('markHandled of unknown id returns false', async () => {
      expect(await store.markHandled('africastalking:unknown', 'answer')).toBe(false)
      expect(await store.get('africastalking:unknown')).toBeNull()
    })

    it('message kept just inside window', async () => {
      const message = inboundSms()
      await store.saveIfNew(message)

      await subject.elapse(message.id, 48 * hour - 60_000)

      expect(await store.saveIfNew(message)).toBe(false)
      expect(await store.get(message.id)).not.toBeNull()
    })

    it('message forgotten after window', async () => {
      const message = inboundSms()
      await store.saveIfNew(message)

      await subject.elapse(message.id, 48 * hour)

      expect(await store.get(message.id)).toBeNull()
      expect(await store.markHandled(message.id, 'answer')).toBe(false)
      expect(await store.saveIfNew(message)).toBe(true)
    })

    it('handled message still expires', async () => {
      const message = inboundSms()
      await store.saveIfNew(message)
      await store.markHandled(message.id, 'answer')

      await subject.elapse(message.id, 48 * hour)

      expect(await store.get(message.id)).toBeNull()
    })

    it('configured window replaces default', async () => {
      const short = await createStore(60)
      const message = inboundSms()
      await short.store.saveIfNew(message)

      await short.elapse(message.id, 60_000)

      expect(await short.store.saveIfNew(message)).toBe(true)
      await short.store.close()
    })

    it('concurrent repeats store once', async () => {
      const message = inboundSms()

      const results = await Promise.all(Array.from({ length: 10 }, () => store.saveIfNew(message)))

      expect(results.filter((saved) => saved)).toHaveLength(1)
    })
  })
}

describeInboundStoreContract('memory', async (windowSeconds) => {
  let clock = start
  const store = new MemoryInboundStore({
    now: () => clock,
    ...(windowSeconds === undefined ? {} : { dedupeWindowSeconds: windowSeconds }),
  })
  return {
    store,
    elapse: async (_id, ms) => {
      clock += ms
    },
    setNow: (ms) => {
      clock = ms
    },
  }
})

describeInboundStoreContract('redis', async (windowSeconds) => {
  let clock = start
  const store = await RedisInboundStore.connect({
    url: inject('redisUrl'),
    keyPrefix,
    commandTimeoutMs: 1000,
    logger,
    now: () => clock,
    ...(windowSeconds === undefined ? {} : { dedupeWindowSeconds: windowSeconds }),
  })
  return {
    store,
    elapse: (id, ms) => shortenTimeToLive(keyPrefix + inboundKey(id), ms),
    setNow: (ms) => {
      clock = ms
    },
  }
})

describe('redis inbound store', () => {
  it('key is hash-tagged and expires', async () => {
    const store = await RedisInboundStore.connect({
      url: inject('redisUrl'),
      keyPrefix,
      commandTimeoutMs: 1000,
      logger,
    })
    const message = inboundSms({ providerId: `tagged-${randomUUID()}` })

    await store.saveIfNew(message)

    const rawKey = `${keyPrefix}inbound:{africastalking:${message.providerId}}`
    const pttl = await plain.pttl(rawKey)
    expect(pttl).toBeGreaterThan(48 * hour - 60_000)
    expect(pttl).toBeLessThanOrEqual(48 * hour)
    await store.close()
  })

  it('shared client left open on close', async () => {
    const client = new Redis(inject('redisUrl'), { keyPrefix })
    const store = new RedisInboundStore(client)

    await store.saveIfNew(inboundSms())
    await store.close()

    expect(await client.ping()).toBe('PONG')
    await client.quit()
  })

  it('unreachable server raises StoreUnavailableError', async () => {
    const port = await freePort()
    const store = await RedisInboundStore.connect({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix,
      commandTimeoutMs: 200,
      logger,
      readyTimeoutMs: 100,
    })

    await expect(store.saveIfNew(inboundSms())).rejects.toBeInstanceOf(StoreUnavailableError)
    await store.close()
  })
})

// Redis expires keys by its own clock, so letting time pass means shortening the key's PTTL.
async function shortenTimeToLive(rawKey: string, ms: number): Promise<void> {
  const pttl = await plain.pttl(rawKey)
  if (pttl < 0) throw new Error(`Key ${rawKey} has no time to live (PTTL ${pttl}).`)

  // PEXPIRE with a timeout of zero or less deletes the key, as expiry would.
  await plain.pexpire(rawKey, pttl - ms)
}
