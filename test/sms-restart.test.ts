import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { pino } from 'pino'
import { RedisOutboxStore } from '../src/messaging/redis-outbox-store.ts'
import { startFakeAfricasTalking, type FakeAfricasTalking } from './support/fake-africastalking.ts'
import { freePort } from './support/start-redis.ts'

const burst = 40

/** Starts Switchboard as its own process, as an operator would, and waits for it to listen. */
async function startSwitchboard(environment: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(
      () => reject(new Error(`Switchboard did not start:\n${output}`)),
      20_000,
    )
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      if (!output.includes('switchboard listening')) return
      clearTimeout(timer)
      resolve()
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
  })
  return child
}

function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string) {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('outbox across a restart', () => {
  let fake: FakeAfricasTalking
  let outbox: RedisOutboxStore
  const keyPrefix = `test:${randomUUID()}:`
  const children: ChildProcess[] = []

  beforeEach(async () => {
    fake = await startFakeAfricasTalking()
    // Each send takes a while, so the burst is still going when the process stops.
    fake.setDefault({ kind: 'slow', delayMs: 40, then: { kind: 'success' } })
    outbox = await RedisOutboxStore.connect({
      url: inject('redisUrl'),
      keyPrefix,
      commandTimeoutMs: 2000,
      logger: pino({ level: 'silent' }),
    })
  })

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL')
    await outbox.close()
    await fake.close()
  })

  it('sends each message once when stopped mid-burst', async () => {
    for (let index = 1; index <= burst; index += 1) {
      await outbox.enqueue({
        idempotencyKey: `burst:${index}`,
        to: '+254700000001',
        text: `Message ${index}`,
      })
    }

    const environment = {
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: keyPrefix,
      AT_USERNAME: fake.username,
      AT_API_KEY: fake.apiKey,
      AT_API_URL: fake.url,
      SMS_RATE_PER_SECOND: '100',
      FLOWS_DIR: 'test/fixtures/flows',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
    }

    const first = await startSwitchboard({ ...environment, PORT: String(await freePort()) })
    children.push(first)
    await waitFor(() => fake.sends().length >= 10, 15_000, 'the burst to start')
    const exited = stopped(first)
    first.kill('SIGTERM')
    expect(await exited).toBe(0)
    const sentBeforeRestart = fake.sends().length
    expect(sentBeforeRestart).toBeLessThan(burst)

    const second = await startSwitchboard({ ...environment, PORT: String(await freePort()) })
    children.push(second)
    await waitFor(() => fake.sends().length >= burst, 20_000, 'every message to be sent')
    await new Promise((resolve) => setTimeout(resolve, 300))
    second.kill('SIGTERM')
    await stopped(second)

    const texts = fake.sends().map((request) => request.form['message'])
    const expected = Array.from({ length: burst }, (_, index) => `Message ${index + 1}`)
    expect([...texts].sort()).toEqual([...expected].sort())
  })
})
