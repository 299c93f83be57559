import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { serve, type ServerType } from '@hono/node-server'
import { inject } from 'vitest'
import { buildSwitchboard, type SwitchboardOverrides } from '../../src/build-switchboard.ts'
import { loadConfig } from '../../src/config.ts'
import type { Effect, EffectSink } from '../../src/engine/effects.ts'
import { createLogger } from '../../src/logger.ts'
import { RedisSessionStore } from '../../src/store/redis-store.ts'
import { ussdClient } from './ussd-client.ts'

/** Collects the JSON log lines a Switchboard writes, for assertions on what it logged. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = []
  readonly raw: string[] = []

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue
      this.raw.push(line)
      this.lines.push(JSON.parse(line) as Record<string, unknown>)
    }
    callback()
  }

  text(): string {
    return this.raw.join('\n')
  }
}

/** Records effects instead of sending them, dropping a repeated idempotency key. */
export class RecordingEffects implements EffectSink {
  readonly sent: Effect[] = []

  async dispatch(effects: readonly Effect[]): Promise<void> {
    for (const effect of effects) {
      if (this.sent.some((sent) => sent.idempotencyKey === effect.idempotencyKey)) continue
      this.sent.push(effect)
    }
  }
}

export interface TestSwitchboardOptions {
  readonly flowsDir?: string
  readonly store?: 'memory' | 'redis'
  readonly environment?: Record<string, string>
  readonly overrides?: SwitchboardOverrides
  /** Queue effects in the real outbox instead of recording them. */
  readonly realSms?: boolean
}

/**
 * Builds a Switchboard for a test: the wallet fixture flows by default, an in-memory or Redis
 * store (each Redis one under its own key prefix), captured logs and recorded effects.
 */
export async function createTestSwitchboard(options: TestSwitchboardOptions = {}) {
  const logs = new LogCapture()
  const logger = createLogger({ level: 'debug', destination: logs })
  const keyPrefix = `test:${randomUUID()}:`
  const config = loadConfig({
    FLOWS_DIR: options.flowsDir ?? 'test/fixtures/flows',
    REDIS_KEY_PREFIX: keyPrefix,
    ...(options.store === 'redis' ? { REDIS_URL: inject('redisUrl') } : {}),
    ...options.environment,
  })

  const effects = new RecordingEffects()
  const recorded = options.realSms === true ? {} : { effects }
  const switchboard = await buildSwitchboard(config, logger, { ...recorded, ...options.overrides })
  const hop = ussdClient((path, init) => switchboard.app.request(path, init))

  return {
    ...switchboard,
    config,
    logs,
    effects,
    hop,
    keyPrefix,
    close: () => switchboard.store.close(),
  }
}

/** Serves an app on a free loopback port and returns its base URL. */
export async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const baseUrl = `http://127.0.0.1:${port}`
  return {
    baseUrl,
    hop: ussdClient((path, init) => fetch_(baseUrl + path, init)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const fetch_ = globalThis.fetch

export { RedisSessionStore }
