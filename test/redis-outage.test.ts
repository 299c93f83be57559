import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StoreUnavailableError, type SessionStore } from '../src/store/session-store.ts'
import { freePort, startRedisServer } from './support/start-redis.ts'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'

const mainMenu = 'CON Welcome\n1. Check balance\n2. Send money\n3. Register'
const unavailable = 'END Sorry, the service is temporarily unavailable. Please try again later.'

// Well above the 3 s reply bound, so replies in time show that commands fail at once while
// Redis is down instead of waiting in a queue for the command timeout.
const commandTimeoutMs = 5000

describe('redis outage', () => {
  let directory: string
  let port: number
  let redis: ChildProcess
  let board: Awaited<ReturnType<typeof createTestSwitchboard>>
  let http: Awaited<ReturnType<typeof listen>>

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-outage-'))
    port = await freePort()
    redis = await startRedisServer(port, directory)
    board = await createTestSwitchboard({
      environment: {
        REDIS_URL: `redis://127.0.0.1:${port}`,
        REDIS_COMMAND_TIMEOUT_MS: String(commandTimeoutMs),
      },
    })
    http = await listen(board.app.fetch)
  })

  afterAll(async () => {
    await http?.close()
    await board?.close()
    redis?.kill('SIGKILL')
    if (directory) await rm(directory, { recursive: true, force: true })
  })

  it('serves main menu while up', async () => {
    const reply = await http.hop({ sessionId: 'ATUid_outage_before', text: '' })

    expect(reply.status).toBe(200)
    expect(reply.body).toBe(mainMenu)
  })

  it('answers unavailable within 3 s', async () => {
    const exited = once(redis, 'exit')
    redis.kill('SIGKILL')
    await exited

    const sessionIds = [
      'ATUid_outage',
      ...Array.from({ length: 50 }, (_, n) => `ATUid_outage_${n}`),
    ]
    const replies = await Promise.all(
      sessionIds.map(async (sessionId) => {
        const started = performance.now()
        const reply = await http.hop({ sessionId, text: '' })
        return { ...reply, ms: performance.now() - started }
      }),
    )

    expect(replies).toHaveLength(51)
    for (const reply of replies) {
      expect(reply.status).toBe(200)
      expect(reply.body).toBe(unavailable)
      expect(reply.ms).toBeLessThan(3000)
    }
  })

  it('healthz reports store down', async () => {
    const response = await fetch(`${http.baseUrl}/healthz`)

    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ status: 'unavailable', store: 'down' })
  })

  it('rejects commands instead of queueing', async () => {
    const client = redisClientOf(board.store)

    const failure = await board.store.ping().catch((error: unknown) => error)

    expect(failure).toBeInstanceOf(StoreUnavailableError)
    // A queued command would fail only when the command timeout fires.
    expect(String((failure as Error).message)).not.toMatch(/timed out/i)
    expect(client.offlineQueue.length).toBe(0)
    expect(client.commandQueue.length).toBe(0)
  })

  it('recovers after restart', async () => {
    redis = await startRedisServer(port, directory)
    await waitForHealthy(http.baseUrl, 10_000)

    const reply = await http.hop({ sessionId: 'ATUid_outage_after', text: '' })

    expect(reply.status).toBe(200)
    expect(reply.body).toBe(mainMenu)
    expect(board.logs.lines.some((line) => line['msg'] === 'redis connection restored')).toBe(true)
  })

  it('dispatches no effect for failed sessions', () => {
    expect(board.effects.sent).toEqual([])
  })
})

interface QueueingClient {
  readonly offlineQueue: { readonly length: number }
  readonly commandQueue: { readonly length: number }
}

// ioredis keeps both queues private. They are the memory that would grow during an outage.
function redisClientOf(store: SessionStore): QueueingClient {
  return (store as unknown as { client: QueueingClient }).client
}

async function waitForHealthy(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/healthz`)
    if (response.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`/healthz did not return 200 within ${timeoutMs} ms after Redis restarted.`)
}
