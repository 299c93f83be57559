import type { RedisStoreOptions } from '../../store/redis-store.ts'
import {
  defaultDedupeWindowSeconds,
  type InboundStore,
  type StoredInboundSms,
} from './inbound-store.ts'
import type { InboundSms } from './parse-inbound-sms.ts'
import { connectRedis, runCommand, type RedisClient } from './redis-client.ts'

// Creates the message hash and its expiry together, only when the id is new.
const saveIfNewScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'message', ARGV[1], 'storedAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`

// Adds the outcome to a message that is still stored; HSET keeps the key's expiry.
const markHandledScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'outcome', ARGV[1], 'handledAt', ARGV[2])
return 1
`

type ScriptClient = RedisClient & {
  switchboardInboundSave(key: string, message: string, at: number, ttlMs: number): Promise<number>
  switchboardInboundHandled(key: string, outcome: string, at: number): Promise<number>
}

export interface RedisInboundStoreOptions {
  /** Seconds a message id is remembered; 48 hours when unset. */
  readonly dedupeWindowSeconds?: number
  /** Milliseconds since the epoch, for `storedAt` and `handledAt`. */
  readonly now?: () => number
}

/**
 * Inbound messages in Redis, one hash per message under `inbound:{<id>}` that expires with the
 * dedupe window. Each operation is one command or script on one key, so it runs on Redis Cluster.
 */
export class RedisInboundStore implements InboundStore {
  private readonly client: ScriptClient
  private readonly windowMs: number
  private readonly now: () => number
  private readonly ownsClient: boolean

  /** Uses a connected client; with `ownsClient`, `close` also closes it. */
  constructor(
    client: RedisClient,
    options: RedisInboundStoreOptions & { ownsClient?: boolean } = {},
  ) {
    client.defineCommand('switchboardInboundSave', { numberOfKeys: 1, lua: saveIfNewScript })
    client.defineCommand('switchboardInboundHandled', { numberOfKeys: 1, lua: markHandledScript })
    this.client = client as ScriptClient
    this.windowMs = (options.dedupeWindowSeconds ?? defaultDedupeWindowSeconds) * 1000
    this.now = options.now ?? Date.now
    this.ownsClient = options.ownsClient ?? false
  }

  /** Connects to the Redis at `url` with fail-fast options; `close` closes the connection. */
  static async connect(
    options: RedisStoreOptions &
      RedisInboundStoreOptions & { url: string; readyTimeoutMs?: number },
  ): Promise<RedisInboundStore> {
    const client = await connectRedis(options)
    return new RedisInboundStore(client, { ...options, ownsClient: true })
  }

  async saveIfNew(message: InboundSms): Promise<boolean> {
    const saved = await runCommand(() =>
      this.client.switchboardInboundSave(
        inboundKey(message.id),
        JSON.stringify(message),
        this.now(),
        this.windowMs,
      ),
    )
    return saved === 1
  }

  async get(id: string): Promise<StoredInboundSms | null> {
    const fields = await runCommand(() => this.client.hgetall(inboundKey(id)))
    if (fields['message'] === undefined) return null

    return {
      message: JSON.parse(fields['message']) as InboundSms,
      storedAt: Number(fields['storedAt']),
      ...(fields['outcome'] === undefined ? {} : { outcome: fields['outcome'] }),
      ...(fields['handledAt'] === undefined ? {} : { handledAt: Number(fields['handledAt']) }),
    }
  }

  async markHandled(id: string, outcome: string): Promise<boolean> {
    const marked = await runCommand(() =>
      this.client.switchboardInboundHandled(inboundKey(id), outcome, this.now()),
    )
    return marked === 1
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return
    await this.client.quit().catch(() => this.client.disconnect())
  }
}

/** Returns the key of one inbound message, without the client's key prefix. */
export function inboundKey(id: string): string {
  return `inbound:{${id}}`
}
