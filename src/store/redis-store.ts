import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis'
import type { Logger } from 'pino'
import {
  StoreUnavailableError,
  type ContactRecord,
  type DraftRecord,
  type SessionRecord,
  type SessionStore,
  type TimerRecord,
} from './session-store.ts'

// Saves the record only if the stored version is the one the hop loaded. The value is stored as
// "<version>|<json>" so the script reads the version without decoding JSON.
const commitScript = `
local current = redis.call('GET', KEYS[1])
local stored = 0
if current then stored = tonumber(string.match(current, '^(%d+)|')) end
if stored ~= tonumber(ARGV[1]) - 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`

// Takes due timers and pushes their score past the lease in one step, so two workers never
// take the same timer. KEYS[1] is the due set; timers live under KEYS[2] .. '<id>'.
const claimTimersScript = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local timers = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), id)
  local timer = redis.call('GET', KEYS[2] .. id)
  if timer then table.insert(timers, timer) else redis.call('ZREM', KEYS[1], id) end
end
return timers
`

// Stores a timer and its due time together.
const scheduleTimerScript = `
redis.call('SET', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[1])
return 1
`

// Every timer key shares one hash tag so the scripts above run on Redis Cluster.
const timersDueKey = 'timers:{timers}:due'
const timerItemPrefix = 'timers:{timers}:item:'

type Client = Redis | Cluster

export interface RedisStoreOptions {
  /** Prefix of every key, applied by ioredis; SCAN patterns add it by hand. */
  readonly keyPrefix: string
  /** Milliseconds before a command fails, so a hop waits at most this long on a dead server. */
  readonly commandTimeoutMs: number
  readonly logger: Logger
}

/** Options that make commands fail fast while Redis is unreachable instead of queueing. */
export function failFastOptions(options: RedisStoreOptions): RedisOptions {
  return {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Keep reconnecting, at most a second apart, so service resumes when Redis returns.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  }
}

/**
 * Sessions and contacts in Redis, one key per session. Every key of a session carries the
 * session in a hash tag (`session:{africastalking:ATUid_1}`), so the same code runs on Redis
 * Cluster.
 */
export class RedisSessionStore implements SessionStore {
  private constructor(
    private readonly client: Client,
    private readonly options: RedisStoreOptions,
  ) {
    client.defineCommand('switchboardCommit', { numberOfKeys: 1, lua: commitScript })
    client.defineCommand('switchboardClaimTimers', { numberOfKeys: 2, lua: claimTimersScript })
    client.defineCommand('switchboardScheduleTimer', { numberOfKeys: 2, lua: scheduleTimerScript })
    let down = false
    client.on('error', (error: Error) => {
      if (!down) options.logger.error({ err: error }, 'redis connection error')
      down = true
    })
    client.on('ready', () => {
      if (down) options.logger.info('redis connection restored')
      down = false
    })
  }

  /** Connects to a single Redis server at `url`, waiting up to two seconds for it. */
  static async connect(options: RedisStoreOptions & { url: string }): Promise<RedisSessionStore> {
    const client = new Redis(options.url, failFastOptions(options))
    return RedisSessionStore.ready(client, options)
  }

  /** Connects to a Redis Cluster through any of its `nodes`. */
  static async connectCluster(
    options: RedisStoreOptions & { nodes: ClusterNode[] },
  ): Promise<RedisSessionStore> {
    const { keyPrefix, ...redisOptions } = failFastOptions(options)
    // NOTE: ioredis 5.9 forces enableOfflineQueue and retryStrategy on each node connection of a
    // Cluster, so only commandTimeout bounds a hop while a node is down; no outage test covers it.
    const client = new Cluster(options.nodes, {
      keyPrefix,
      enableOfflineQueue: false,
      redisOptions,
    })
    return RedisSessionStore.ready(client, options)
  }

  private static async ready(
    client: Client,
    options: RedisStoreOptions,
  ): Promise<RedisSessionStore> {
    const store = new RedisSessionStore(client, options)
    const ready = await waitForReady(client, 2000)
    if (!ready)
      options.logger.warn('redis is not reachable yet; hops will answer "unavailable" until it is')
    return store
  }

  async load(key: string): Promise<SessionRecord | null> {
    const raw = await this.run(() => this.client.get(sessionKey(key)))
    return raw === null ? null : decodeSession(raw)
  }

  async commit(record: SessionRecord, ttlSeconds: number): Promise<boolean> {
    const value = `${record.version}|${JSON.stringify(record)}`
    const client = this.client as Client & {
      switchboardCommit(key: string, version: number, value: string, ttl: number): Promise<number>
    }
    const saved = await this.run(() =>
      client.switchboardCommit(sessionKey(record.key), record.version, value, ttlSeconds),
    )
    return saved === 1
  }

  async remove(key: string): Promise<void> {
    await this.run(() => this.client.del(sessionKey(key)))
  }

  async removeSessionsOf(msisdn: string): Promise<number> {
    let removed = 0
    for (const node of this.scanNodes()) {
      let cursor = '0'
      do {
        // SCAN does not apply keyPrefix to its pattern, and returns keys with the prefix on.
        const pattern = `${escapeGlob(this.options.keyPrefix)}session:*`
        const [next, keys] = await this.run(() => node.scan(cursor, 'MATCH', pattern, 'COUNT', 500))
        cursor = next
        for (const prefixed of keys) {
          const key = prefixed.slice(this.options.keyPrefix.length)
          const raw = await this.run(() => this.client.get(key))
          if (raw === null || decodeSession(raw).msisdn !== msisdn) continue
          removed += await this.run(() => this.client.del(key))
        }
      } while (cursor !== '0')
    }
    return removed
  }

  async loadContact(msisdn: string): Promise<ContactRecord | null> {
    const raw = await this.run(() => this.client.get(contactKey(msisdn)))
    return raw === null ? null : (JSON.parse(raw) as ContactRecord)
  }

  async saveContact(contact: ContactRecord): Promise<void> {
    await this.run(() => this.client.set(contactKey(contact.msisdn), JSON.stringify(contact)))
  }

  async saveDraft(draft: DraftRecord, ttlSeconds: number): Promise<void> {
    const key = draftKey(draft.msisdn, draft.flowId)
    await this.run(() => this.client.set(key, JSON.stringify(draft), 'EX', ttlSeconds))
  }

  async loadDraft(msisdn: string, flowId: string): Promise<DraftRecord | null> {
    const raw = await this.run(() => this.client.get(draftKey(msisdn, flowId)))
    return raw === null ? null : (JSON.parse(raw) as DraftRecord)
  }

  async removeDraft(msisdn: string, flowId: string): Promise<void> {
    await this.run(() => this.client.del(draftKey(msisdn, flowId)))
  }

  async scheduleTimer(timer: TimerRecord): Promise<void> {
    const client = this.client as Client & {
      switchboardScheduleTimer(
        due: string,
        item: string,
        id: string,
        at: number,
        value: string,
      ): Promise<number>
    }
    const item = timerItemPrefix + timer.id
    await this.run(() =>
      client.switchboardScheduleTimer(
        timersDueKey,
        item,
        timer.id,
        timer.dueAt,
        JSON.stringify(timer),
      ),
    )
  }

  async claimDueTimers(now: number, limit: number, leaseMs: number): Promise<TimerRecord[]> {
    const client = this.client as Client & {
      switchboardClaimTimers(
        due: string,
        prefix: string,
        now: number,
        limit: number,
        lease: number,
      ): Promise<string[]>
    }
    // ioredis adds keyPrefix to KEYS[2] too, so the script's item keys carry it exactly once.
    const raw = await this.run(() =>
      client.switchboardClaimTimers(timersDueKey, timerItemPrefix, now, limit, leaseMs),
    )
    return raw.map((value) => JSON.parse(value) as TimerRecord)
  }

  async completeTimer(id: string): Promise<void> {
    await this.run(() => this.client.zrem(timersDueKey, id))
    await this.run(() => this.client.del(timerItemPrefix + id))
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.ping())
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect())
  }

  /** The raw key of a session, with the prefix, for tools that inspect Redis. */
  sessionKeyOf(key: string): string {
    return `${this.options.keyPrefix}${sessionKey(key)}`
  }

  private scanNodes(): Redis[] {
    if (this.client instanceof Cluster) return this.client.nodes('master')
    return [this.client]
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      throw new StoreUnavailableError(`Redis command failed: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
}

function sessionKey(key: string): string {
  return `session:{${key}}`
}

function draftKey(msisdn: string, flowId: string): string {
  return `draft:{${msisdn}}:${flowId}`
}

// Redis glob syntax uses * ? [ ] and backslash. A backslash before each makes it literal.
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

function contactKey(msisdn: string): string {
  return `contact:{${msisdn}}`
}

function decodeSession(raw: string): SessionRecord {
  return JSON.parse(raw.slice(raw.indexOf('|') + 1)) as SessionRecord
}

function waitForReady(client: Client, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs)
    const onReady = () => done(true)
    const done = (ready: boolean) => {
      clearTimeout(timer)
      client.off('ready', onReady)
      resolve(ready)
    }
    client.once('ready', onReady)
  })
}
