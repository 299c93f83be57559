import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { failFastOptions } from '../store/redis-store.ts'
import type { OptOutRecord, OptOutStore } from './opt-outs.ts'
import { logRedisConnection, waitForRedis } from './redis-connection.ts'

export interface RedisOptOutOptions {
  readonly url: string
  /** Prefix of every key, applied by ioredis. */
  readonly keyPrefix: string
  /** Milliseconds before a command fails. */
  readonly commandTimeoutMs: number
  readonly logger: Logger
}

/**
 * Opt-outs in Redis, one JSON string per number under `optout:{<E.164 number>}`. Each operation
 * touches one key, so the store runs unchanged on Redis Cluster.
 */
export class RedisOptOutStore implements OptOutStore {
  private constructor(private readonly client: Redis) {}

  /** Connects with the fail-fast options of the session store. */
  static async connect(options: RedisOptOutOptions): Promise<RedisOptOutStore> {
    const client = new Redis(options.url, failFastOptions(options))
    logRedisConnection(client, options.logger, 'opt-out')
    await waitForRedis(client, options.logger)
    return new RedisOptOutStore(client)
  }

  async record(record: OptOutRecord): Promise<boolean> {
    const stored = await this.client.set(optOutKey(record.msisdn), JSON.stringify(record), 'NX')
    return stored === 'OK'
  }

  async get(msisdn: string): Promise<OptOutRecord | null> {
    const raw = await this.client.get(optOutKey(msisdn))
    return raw === null ? null : (JSON.parse(raw) as OptOutRecord)
  }

  async remove(msisdn: string): Promise<boolean> {
    return (await this.client.del(optOutKey(msisdn))) === 1
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect())
  }
}

function optOutKey(msisdn: string): string {
  return `optout:{${msisdn}}`
}
