import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { createLogger } from '../src/logger.ts'
import { AtSmsSender } from '../src/messaging/africastalking/at-sms-sender.ts'
import { MemoryOutboxStore } from '../src/messaging/memory-outbox-store.ts'
import { Outbox } from '../src/messaging/outbox.ts'
import type { OutboxStore } from '../src/messaging/outbox-store.ts'
import {
  OutboxWorker,
  retryDelayMs,
  type OutboxWorkerOptions,
} from '../src/messaging/outbox-worker.ts'
import { RateLimiter } from '../src/messaging/rate-limiter.ts'
import { RedisOutboxStore } from '../src/messaging/redis-outbox-store.ts'
import { sendFailure } from '../src/messaging/sms-sender.ts'
import { describeOutboxStoreContract } from './outbox-contract.ts'
import { startFakeAfricasTalking, type FakeAfricasTalking } from './support/fake-africastalking.ts'
import { freePort } from './support/start-redis.ts'

const silent = createLogger({ level: 'silent' })
const filePrefix = `test:outbox:${randomUUID()}:`
let plain: Redis

beforeAll(() => {
  plain = new Redis(inject('redisUrl'))
})

afterAll(async () => {
  const keys = await plain.keys(`${filePrefix}*`)
  if (keys.length > 0) await plain.del(...keys)
  await plain.quit()
})

function connectRedisStore(keyPrefix: string, now?: () => number): Promise<RedisOutboxStore> {
  return RedisOutboxStore.connect({
    url: inject('redisUrl'),
    keyPrefix,
    commandTimeoutMs: 2000,
    logger: silent,
    now,
  })
}

describeOutboxStoreContract('memory', async (now) => new MemoryOutboxStore({ now }))
describeOutboxStoreContract('redis', (now) =>
  connectRedisStore(`${filePrefix}${randomUUID()}:`, now),
)

describe('redis outbox store', () => {
  it('keys share one hash tag', async () => {
    const keyPrefix = `${filePrefix}${randomUUID()}:`
    const store = await connectRedisStore(keyPrefix)
    const first = await store.enqueue({ idempotencyKey: 'k1', to: '+254700000001', text: 'Hi' })
    const second = await store.enqueue({ idempotencyKey: 'k2', to: '+254700000002', text: 'Hi' })
    const [claimed] = await store.claim(Date.now(), 1, 30_000)
    await store.complete(claimed!.id, { status: 'sent', messageId: 'ATXid_1' })
    await store.saveUnrecognizedReport({ reason: 'unknown-message', fields: {}, receivedAt: 1 })

    const keys = await plain.keys(`${keyPrefix}*`)

    const names = keys.map((key) => key.slice(keyPrefix.length)).sort()
    expect(names).toEqual(
      [
        'outbox:{sms}:due',
        'outbox:{sms}:key:k1',
        'outbox:{sms}:key:k2',
        `outbox:{sms}:msg:${first.id}`,
        `outbox:{sms}:msg:${second.id}`,
        'outbox:{sms}:provider:ATXid_1',
        'outbox:{sms}:unrecognized',
      ].sort(),
    )
    // Cluster hashes only the first {...} of a key, so no brace may come before the tag.
    expect(keys.every((key) => key.indexOf('{') === key.indexOf('{sms}'))).toBe(true)
    await store.close()
  })

  it('finished message expires with its keys', async () => {
    const keyPrefix = `${filePrefix}${randomUUID()}:`
    const store = await RedisOutboxStore.connect({
      url: inject('redisUrl'),
      keyPrefix,
      commandTimeoutMs: 2000,
      logger: silent,
      retentionMs: 60_000,
    })
    const { id } = await store.enqueue({ idempotencyKey: 'k1', to: '+254700000001', text: 'Hi' })
    await store.claim(Date.now(), 1, 30_000)

    expect(await plain.pttl(`${keyPrefix}outbox:{sms}:msg:${id}`)).toBe(-1)
    await store.complete(id, { status: 'sent', messageId: 'ATXid_1' })

    for (const key of [`msg:${id}`, 'key:k1', 'provider:ATXid_1']) {
      const pttl = await plain.pttl(`${keyPrefix}outbox:{sms}:${key}`)
      expect(pttl).toBeGreaterThan(50_000)
      expect(pttl).toBeLessThanOrEqual(60_000)
    }
    expect(await plain.zcard(`${keyPrefix}outbox:{sms}:due`)).toBe(0)
    await store.close()
  })

  it('prefix with a brace is rejected', async () => {
    await expect(connectRedisStore(`${filePrefix}{x}:`)).rejects.toThrow(
      /contains "\{", which would replace the outbox hash tag/,
    )
  })
})

/** Collects JSON log lines for assertions on what was logged. */
class LogLines extends Writable {
  readonly text: string[] = []

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text.push(chunk.toString())
    callback()
  }

  all(): string {
    return this.text.join('')
  }
}

describe('outbox worker', () => {
  let fake: FakeAfricasTalking
  const workers: OutboxWorker[] = []
  const stores: OutboxStore[] = []

  beforeAll(async () => {
    fake = await startFakeAfricasTalking()
  })

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()))
    await Promise.all(stores.splice(0).map((store) => store.close()))
    fake.requests.length = 0
    fake.setDefault({ kind: 'success' })
  })

  afterAll(async () => {
    await fake.close()
  })

  // The fake shares the event loop with the workers, so on a busy machine its responses can
  // take seconds. A timeout there would cause a retry and a second send of the same message.
  function sender(timeoutMs = 10_000): AtSmsSender {
    return new AtSmsSender({
      username: fake.username,
      apiKey: fake.apiKey,
      apiUrl: fake.url,
      timeoutMs,
    })
  }

  async function redisStore(keyPrefix = `${filePrefix}${randomUUID()}:`) {
    const store = await connectRedisStore(keyPrefix)
    stores.push(store)
    return store
  }

  function startWorker(store: OutboxStore, options: Partial<OutboxWorkerOptions> = {}) {
    const worker = new OutboxWorker({
      store,
      sender: sender(),
      logger: silent,
      ratePerSecond: 1000,
      pollIntervalMs: 10,
      backoff: { baseMs: 20, maxMs: 100 },
      ...options,
    })
    workers.push(worker)
    worker.start()
    return worker
  }

  async function enqueue(store: OutboxStore, n: number) {
    const { id } = await store.enqueue({
      idempotencyKey: `effect:${n}`,
      to: `+2547110${String(n).padStart(5, '0')}`,
      text: `Message ${n}`,
    })
    return id
  }

  async function waitForStatus(store: OutboxStore, id: string, status: string) {
    await vi.waitFor(
      async () => {
        expect((await store.get(id))?.status).toBe(status)
      },
      { timeout: 8000, interval: 20 },
    )
    return (await store.get(id))!
  }

  it('success marks the message sent', async () => {
    const store = await redisStore()
    const id = await enqueue(store, 1)

    startWorker(store)

    const stored = await waitForStatus(store, id, 'sent')
    expect(stored.providerMessageId).toMatch(/^ATXid_\d+$/)
    expect(stored.attempts).toBe(1)
    expect(fake.sends()).toHaveLength(1)
    expect(fake.sends()[0]?.form).toMatchObject({ to: '+254711000001', message: 'Message 1' })
  })

  it('server error is retried once', async () => {
    const store = await redisStore()
    const id = await enqueue(store, 1)
    fake.script({ kind: 'http-error', status: 503 })

    startWorker(store)

    const stored = await waitForStatus(store, id, 'sent')
    expect(stored.attempts).toBe(2)
    expect(fake.sends().map((r) => r.behaviour?.kind)).toEqual(['http-error', 'success'])
  })

  it('timeout is retried', async () => {
    const store = await redisStore()
    const id = await enqueue(store, 1)
    fake.script({ kind: 'slow', delayMs: 3000 })

    startWorker(store, { sender: sender(200) })

    const stored = await waitForStatus(store, id, 'sent')
    expect(stored.attempts).toBe(2)
    expect(fake.sends().map((r) => r.behaviour?.kind)).toEqual(['slow', 'success'])
  })

  it('invalid recipient is not retried', async () => {
    const store = await redisStore()
    const id = await enqueue(store, 1)
    fake.setDefault({ kind: 'recipient-failure', status: 'InvalidPhoneNumber', statusCode: 403 })

    startWorker(store)

    const stored = await waitForStatus(store, id, 'failed')
    expect(stored.attempts).toBe(1)
    expect(stored.lastOutcome).toMatchObject({ code: 'invalid-recipient', retryable: false })
    expect(fake.sends()).toHaveLength(1)
  })

  it('throttled send waits for Retry-After', async () => {
    const store = await redisStore()
    const id = await enqueue(store, 1)
    fake.script({ kind: 'http-error', status: 429, headers: { 'retry-after': '1' } })

    startWorker(store)

    await waitForStatus(store, id, 'sent')
    const [throttled, retried] = fake.sends()
    expect(throttled?.behaviour?.kind).toBe('http-error')
    expect(retried!.receivedAt - throttled!.receivedAt).toBeGreaterThanOrEqual(1000)
  })

  it('gives up after max attempts', async () => {
    const store = await redisStore()
    const id = await enqueue(store, 1)
    fake.setDefault({ kind: 'http-error', status: 500 })

    startWorker(store, { maxAttempts: 3 })

    const stored = await waitForStatus(store, id, 'failed')
    expect(stored.attempts).toBe(3)
    expect(stored.lastOutcome).toMatchObject({
      code: 'server-error',
      reason: 'HTTP 500: Internal server error (gave up after 3 attempts)',
    })
    expect(fake.sends()).toHaveLength(3)
  })

  it('crashed claim is sent once after lease', async () => {
    const store = await redisStore()
    const ids = [await enqueue(store, 1), await enqueue(store, 2)]
    const leaseMs = 400
    // A worker that claimed both messages and died before sending either.
    const claimedAt = Date.now()
    expect(await store.claim(claimedAt, 10, leaseMs)).toHaveLength(2)

    startWorker(store, { leaseMs })

    for (const id of ids) await waitForStatus(store, id, 'sent')
    expect(fake.sends()).toHaveLength(2)
    for (const request of fake.sends()) {
      expect(request.receivedAt).toBeGreaterThanOrEqual(claimedAt + leaseMs)
    }
    expect((await store.get(ids[0]!))?.attempts).toBe(2)
  })

  it('two workers send each message once', async () => {
    const keyPrefix = `${filePrefix}${randomUUID()}:`
    const first = await redisStore(keyPrefix)
    const second = await redisStore(keyPrefix)
    const ids: string[] = []
    for (let n = 1; n <= 200; n += 1) ids.push(await enqueue(first, n))

    startWorker(first, { ratePerSecond: 2000 })
    startWorker(second, { ratePerSecond: 2000 })

    await vi.waitFor(() => expect(fake.sends().length).toBeGreaterThanOrEqual(200), {
      timeout: 15_000,
      interval: 50,
    })
    await Promise.all(workers.map((worker) => worker.stop()))
    const messages = fake.sends().map((r) => r.form.message)
    expect(messages).toHaveLength(200)
    expect(new Set(messages).size).toBe(200)
    const stored = await Promise.all(ids.map((id) => first.get(id)))
    expect(stored.filter((m) => m?.status !== 'sent')).toEqual([])
    // One claim each: a send that timed out and was retried would show two attempts.
    expect(stored.filter((m) => m?.attempts !== 1)).toEqual([])
  })

  it('keeps the send rate', async () => {
    const store = new MemoryOutboxStore()
    for (let n = 1; n <= 11; n += 1) await enqueue(store, n)

    const started = Date.now()

    startWorker(store, { ratePerSecond: 20 })

    await vi.waitFor(() => expect(fake.sends()).toHaveLength(11), { timeout: 8000 })
    // 20 per second with a burst of 2: the other nine wait 50 ms each for a token.
    expect(fake.sends().at(-1)!.receivedAt - started).toBeGreaterThanOrEqual(450)
  })

  it('stop waits for the send in flight', async () => {
    const store = await redisStore()
    const id = await enqueue(store, 1)
    fake.script({ kind: 'slow', delayMs: 300 })
    const worker = startWorker(store)
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1), { timeout: 5000 })

    await worker.stop()

    expect((await store.get(id))?.status).toBe('sent')
    expect(worker.running).toBe(false)
  })

  it('stopped worker claims nothing', async () => {
    const store = await redisStore()
    const worker = startWorker(store)
    await worker.stop()

    const id = await enqueue(store, 1)
    await new Promise((resolve) => setTimeout(resolve, 100))

    expect((await store.get(id))?.status).toBe('queued')
    expect(fake.requests).toHaveLength(0)
  })

  it('suppressed number is never sent', async () => {
    const store = await redisStore()
    const blocked = await enqueue(store, 1)
    const allowed = await enqueue(store, 2)
    const isSuppressed = async (msisdn: string) => msisdn === '+254711000001' && 'opted out'

    startWorker(store, { isSuppressed })

    const stored = await waitForStatus(store, blocked, 'suppressed')
    await waitForStatus(store, allowed, 'sent')
    expect(stored.suppressedReason).toBe('opted out')
    expect(fake.sends().map((r) => r.form.to)).toEqual(['+254711000002'])
  })

  it('store outage is logged once', async () => {
    const lines = new LogLines()
    const logger = createLogger({ level: 'debug', destination: lines })
    const deadStore = await RedisOutboxStore.connect({
      url: `redis://127.0.0.1:${await freePort()}`,
      keyPrefix: filePrefix,
      commandTimeoutMs: 200,
      logger: silent,
    })
    stores.push(deadStore)
    const failures = () =>
      lines
        .all()
        .split('\n')
        .filter((line) => line.includes('claim failed'))

    startWorker(deadStore, { logger })

    // The worker pauses a second after each failed claim, so this covers two or three claims.
    await new Promise((resolve) => setTimeout(resolve, 2200))
    expect(failures()).toHaveLength(1)
  })

  it('logs mask numbers and omit the key', async () => {
    const lines = new LogLines()
    const logger = createLogger({ level: 'debug', destination: lines })
    const store = new MemoryOutboxStore()
    const id = await enqueue(store, 1)
    fake.script({ kind: 'http-error', status: 401 })

    startWorker(store, { logger })

    await waitForStatus(store, id, 'failed')
    await Promise.all(workers.splice(0).map((worker) => worker.stop()))
    expect(lines.all()).toContain('+254*****001')
    expect(lines.all()).not.toContain('+254711000001')
    expect(lines.all()).not.toContain(fake.apiKey)
    expect(lines.all()).not.toContain('Message 1')
  })
})

describe('outbox', () => {
  function outbox(overflow: 'reject' | 'truncate' = 'reject') {
    const store = new MemoryOutboxStore()
    return { store, outbox: new Outbox({ store, logger: silent, maxSegments: 1, overflow }) }
  }

  it('enqueue stores the prepared text', async () => {
    const { store, outbox: box } = outbox()

    const { id, prepared } = await box.enqueue({
      idempotencyKey: 'k1',
      to: '+254700000001',
      text: 'It\u2019s paid',
    })

    expect(prepared.encoding).toBe('gsm7')
    expect((await store.get(id))?.text).toBe("It's paid")
  })

  it('local number is rejected', async () => {
    const { outbox: box } = outbox()

    await expect(
      box.enqueue({ idempotencyKey: 'k1', to: '0700000001', text: 'Hi' }),
    ).rejects.toThrow('SMS recipient 0700*****001 is not an E.164 number')
  })

  it('long text is truncated when allowed', async () => {
    const { store, outbox: box } = outbox('truncate')

    const { id } = await box.enqueue({
      idempotencyKey: 'k1',
      to: '+254700000001',
      text: 'a'.repeat(200),
    })

    expect((await store.get(id))?.text).toHaveLength(160)
  })

  it('dispatch queues effects once', async () => {
    const { store, outbox: box } = outbox()
    const effect = {
      kind: 'sms' as const,
      to: '+254700000001',
      text: 'Your balance is KES 1,200',
      idempotencyKey: 'africastalking:ATUid_1:3:sms:0',
      sessionKey: 'africastalking:ATUid_1',
      flowId: 'wallet',
    }

    await box.dispatch([effect])
    await box.dispatch([effect])

    const claimed = await store.claim(Date.now(), 10, 1000)
    expect(claimed).toHaveLength(1)
    expect(claimed[0]?.context).toEqual({
      sessionKey: 'africastalking:ATUid_1',
      flowId: 'wallet',
      category: 'transactional',
    })
  })

  it('dispatch skips text over the limit', async () => {
    const { store, outbox: box } = outbox('reject')
    const base = { kind: 'sms' as const, to: '+254700000001', sessionKey: 's', flowId: 'f' }

    await box.dispatch([
      { ...base, text: 'a'.repeat(161), idempotencyKey: 'too-long' },
      { ...base, text: 'fits', idempotencyKey: 'fits' },
    ])

    const claimed = await store.claim(Date.now(), 10, 1000)
    expect(claimed.map((m) => m.text)).toEqual(['fits'])
  })
})

describe('retry delay', () => {
  const backoff = { baseMs: 1000, maxMs: 60_000 }
  const failure = sendFailure('server-error', 'HTTP 500')

  it.each([
    { attempts: 1, random: 0, expected: 500 },
    { attempts: 1, random: 0.999, expected: 1000 },
    { attempts: 2, random: 0, expected: 1000 },
    { attempts: 4, random: 0, expected: 4000 },
    { attempts: 20, random: 0, expected: 30_000 },
  ])('attempt $attempts, random $random', ({ attempts, random, expected }) => {
    expect(retryDelayMs(attempts, backoff, () => random, failure)).toBe(expected)
  })

  it('Retry-After sets the minimum', () => {
    const throttled = sendFailure('throttled', 'HTTP 429', { retryAfterMs: 9000 })

    expect(retryDelayMs(1, backoff, () => 0, throttled)).toBe(9000)
  })
})

describe('rate limiter', () => {
  it('spaces sends by the rate', () => {
    const limiter = new RateLimiter(10, 1, 0)

    expect(limiter.available(0)).toBe(1)
    limiter.take(1, 0)
    expect(limiter.available(0)).toBe(0)
    expect(limiter.waitMs(0)).toBe(100)
    expect(limiter.available(99)).toBe(0)
    expect(limiter.available(100)).toBe(1)
  })

  it('burst caps saved tokens', () => {
    const limiter = new RateLimiter(10, 3, 0)
    limiter.take(3, 0)

    expect(limiter.available(10_000)).toBe(3)
  })
})
