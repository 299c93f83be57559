import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { inject } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { TimerWorker } from '../../src/engine/timer-worker.ts'
import { createLogger } from '../../src/logger.ts'
import { buildMessaging } from '../../src/messaging/build-messaging.ts'
import { MemoryContactStore } from '../../src/messaging/inbound/memory-contact-store.ts'
import type { OutboxRequest } from '../../src/messaging/outbox.ts'
import type { RoutableMessage } from '../../src/messaging/routing/message-router.ts'
import { createRouting } from '../../src/routing/create-routing.ts'
import { normalizeMatchText } from '../../src/messaging/inbound/match-text.ts'
import { MemorySessionStore } from '../../src/store/memory-store.ts'
import { RedisSessionStore } from '../../src/store/redis-store.ts'
import type { SessionStore } from '../../src/store/session-store.ts'
import { LogCapture } from './test-switchboard.ts'

/** Bearer tokens the harness configures, by team. */
export const teamTokens = {
  nurses: 'nurses-token-0123456789abcdef',
  finance: 'finance-token-0123456789abcdef',
}

/** Monday 3 March 2025, 10:00 in Nairobi (07:00 UTC): inside clinic hours. */
export const mondayMorning = Date.parse('2025-03-03T07:00:00Z')

export interface RoutingHarnessOptions {
  readonly store?: 'memory' | 'redis'
  readonly environment?: Record<string, string>
  /** Start time of the manual clock. */
  readonly start?: number
}

/**
 * Builds routing to teams on its own, with the example rules in `machines/`, contacts, durable
 * timers with a timer worker, and the routes in a Hono app. SMS go through the real outbox, which
 * writes them to the log unless the environment names an Africa's Talking API. Time is a manual
 * clock.
 */
export async function createRoutingHarness(options: RoutingHarnessOptions = {}) {
  const clock = { now: options.start ?? mondayMorning }
  const now = () => clock.now
  const logs = new LogCapture()
  const logger = createLogger({ level: 'debug', destination: logs })
  const keyPrefix = `test:${randomUUID()}:`
  const redisUrl = options.store === 'redis' ? inject('redisUrl') : undefined

  const config = loadConfig({
    FLOWS_DIR: 'machines',
    FLOWS_WATCH: 'off',
    REDIS_KEY_PREFIX: keyPrefix,
    TEAM_TOKENS: `nurses:${teamTokens.nurses},finance:${teamTokens.finance}`,
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    ...options.environment,
  })

  const sessions: SessionStore =
    redisUrl === undefined
      ? new MemorySessionStore({ now })
      : await RedisSessionStore.connect({
          url: redisUrl,
          keyPrefix,
          commandTimeoutMs: 1000,
          logger,
        })
  const messaging = await buildMessaging(config, logger, { now })
  const contacts = new MemoryContactStore({ now })

  // Every SMS routing queued, in order; a repeated idempotency key is not a new SMS.
  const sent: OutboxRequest[] = []
  const outbox = {
    async enqueue(request: OutboxRequest) {
      const result = await messaging.outbox.enqueue(request)
      if (result.created) sent.push(request)
      return result
    },
  }

  const routing = await createRouting(config, {
    logger,
    outbox,
    contacts,
    timers: sessions,
    now,
    watch: false,
  })
  const timers = new TimerWorker({
    store: sessions,
    handlers: [routing.timerHandler],
    logger,
    intervalMs: 1000,
    now,
  })
  const app = new Hono()
  app.route('/', routing.routes)

  let sequence = 0
  /** Routes one message as the SMS handler would. */
  const route = (
    text: string,
    message: Partial<Omit<RoutableMessage, 'text' | 'matchText'>> = {},
  ) => {
    sequence += 1
    return routing.router.route({
      id: `africastalking:msg-${sequence}`,
      channel: 'sms',
      from: '+254700000001',
      to: '21512',
      receivedAt: clock.now,
      ...message,
      text,
      matchText: normalizeMatchText(text),
    })
  }

  /** Calls the agent API as `team` with that team's token, or with `token` when given. */
  const api = async (
    method: string,
    path: string,
    options: {
      team?: keyof typeof teamTokens
      token?: string
      body?: unknown
      headers?: Record<string, string>
    } = {},
  ) => {
    const team = options.team ?? 'nurses'
    const response = await app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${options.token ?? teamTokens[team]}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
    const json = (await response.json().catch(() => null)) as Record<string, any> | null
    return { status: response.status, json: json ?? {} }
  }

  const close = async () => {
    await timers.stop()
    await messaging.worker.stop()
    await routing.close()
    await messaging.close()
    await sessions.close()
  }

  return {
    clock,
    advance: (ms: number) => (clock.now += ms),
    config,
    logs,
    logger,
    routing,
    messaging,
    contacts,
    sessions,
    timers,
    sent,
    app,
    route,
    api,
    close,
  }
}

export type RoutingHarness = Awaited<ReturnType<typeof createRoutingHarness>>
