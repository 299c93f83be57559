import { Cluster, Redis, type ClusterNode } from 'ioredis'
import type { Logger } from 'pino'
import { logRedisConnection, waitForRedis } from '../messaging/redis-connection.ts'
import { failFastOptions } from '../store/redis-store.ts'
import { StoreUnavailableError } from '../store/session-store.ts'
import type { EarlierRequest } from './item-context.ts'
import { queueScore, type ItemEvent, type QueueItem } from './queue-item.ts'
import { commitLua, insertLua } from './redis-team-queue-scripts.ts'
import { rememberedRequests, type InsertResult, type TeamQueueStore } from './team-queue-store.ts'

type Client = Redis | Cluster

type ScriptClient = Client & {
  routingInsert(...args: string[]): Promise<[number, string]>
  routingCommit(...args: string[]): Promise<number>
}

export interface RedisTeamQueueOptions {
  /** Prefix of every key, applied by ioredis. It must not contain `{`, which would move the hash tag. */
  readonly keyPrefix: string
  /** Milliseconds before a command fails. */
  readonly commandTimeoutMs: number
  readonly logger: Logger
}

// Requests remembered per person are dropped after this long without a new one: 90 days.
const requestsTtlMs = 90 * 24 * 60 * 60 * 1000

/**
 * Team queues in Redis. Every key of one team carries the team in a hash tag
 * (`routing:{team:nurses}:queue`), so the scripts run on Redis Cluster; the requests of a person
 * are one list under their own tag.
 */
export class RedisTeamQueueStore implements TeamQueueStore {
  private readonly client: ScriptClient

  private constructor(client: Client, logger: Logger) {
    client.defineCommand('routingInsert', { numberOfKeys: 6, lua: insertLua })
    client.defineCommand('routingCommit', { numberOfKeys: 5, lua: commitLua })
    this.client = client as ScriptClient
    logRedisConnection(client, logger, 'team queue')
  }

  /** Connects to a single Redis server, with the fail-fast options of the session store. */
  static async connect(
    options: RedisTeamQueueOptions & { url: string },
  ): Promise<RedisTeamQueueStore> {
    assertPrefix(options.keyPrefix)
    const client = new Redis(options.url, failFastOptions(options))
    const store = new RedisTeamQueueStore(client, options.logger)
    await waitForRedis(client, options.logger)
    return store
  }

  /** Connects to a Redis Cluster through any of its `nodes`. */
  static async connectCluster(
    options: RedisTeamQueueOptions & { nodes: ClusterNode[] },
  ): Promise<RedisTeamQueueStore> {
    assertPrefix(options.keyPrefix)
    const { keyPrefix, ...redisOptions } = failFastOptions(options)
    const client = new Cluster(options.nodes, {
      keyPrefix,
      enableOfflineQueue: false,
      redisOptions,
    })
    const store = new RedisTeamQueueStore(client, options.logger)
    await waitForRedis(client, options.logger)
    return store
  }

  async insert(item: QueueItem, event: ItemEvent): Promise<InsertResult> {
    const saved = { ...item, version: 1 }
    const keys = teamKeys(item.team)
    const [code, reference] = await run(() =>
      this.client.routingInsert(
        ...itemKeys(item.team, item.reference, item.message.id),
        keys.itemPrefix,
        item.reference,
        saved.status,
        JSON.stringify(saved),
        saved.status === 'queued' ? String(queueScore(saved)) : '',
        leaseScore(saved),
        JSON.stringify(event),
      ),
    )
    if (code === 2) return { status: 'reference-taken' }
    if (code === 1) return { status: 'created', item: saved }

    const stored = await this.load(item.team, reference)
    return stored === null ? { status: 'reference-taken' } : { status: 'exists', item: stored }
  }

  async load(team: string, reference: string): Promise<QueueItem | null> {
    const data = await run(() => this.client.hget(teamKeys(team).itemPrefix + reference, 'data'))
    return data === null ? null : (JSON.parse(data) as QueueItem)
  }

  async events(team: string, reference: string): Promise<ItemEvent[]> {
    const raw = await run(() => this.client.lrange(teamKeys(team).logPrefix + reference, 0, -1))
    return raw.map((entry) => JSON.parse(entry) as ItemEvent)
  }

  async commit(
    item: QueueItem,
    events: readonly ItemEvent[],
    retentionMs: number,
  ): Promise<boolean> {
    const finished = item.status === 'resolved' || item.status === 'moved'
    const saved = await run(() =>
      this.client.routingCommit(
        ...itemKeys(item.team, item.reference, item.message.id),
        String(item.version - 1),
        String(item.version),
        item.status,
        JSON.stringify(item),
        item.reference,
        item.status === 'queued' ? String(queueScore(item)) : '',
        leaseScore(item),
        finished ? String(retentionMs) : '',
        ...events.map((event) => JSON.stringify(event)),
      ),
    )
    return saved === 1
  }

  async queued(team: string, limit: number): Promise<string[]> {
    return run(() => this.client.zrange(teamKeys(team).queue, 0, limit - 1))
  }

  async leased(team: string, limit: number): Promise<string[]> {
    return run(() => this.client.zrange(teamKeys(team).leases, 0, limit - 1))
  }

  async expiredLeases(team: string, now: number, limit: number): Promise<string[]> {
    const key = teamKeys(team).leases
    return run(() => this.client.zrangebyscore(key, '-inf', String(now), 'LIMIT', 0, limit))
  }

  async counts(team: string): Promise<{ queued: number; leased: number }> {
    const keys = teamKeys(team)
    const [queued, leased] = await Promise.all([
      run(() => this.client.zcard(keys.queue)),
      run(() => this.client.zcard(keys.leases)),
    ])
    return { queued, leased }
  }

  async rememberRequest(msisdn: string, request: EarlierRequest): Promise<void> {
    const key = requestsKey(msisdn)
    const earlier = await this.earlierRequests(msisdn)
    const repeat = earlier.find((each) => each.messageId === request.messageId)
    // One key, so MULTI runs on Redis Cluster too.
    const transaction = this.client.multi()
    if (repeat !== undefined) transaction.lrem(key, 0, JSON.stringify(repeat))
    transaction
      .lpush(key, JSON.stringify(request))
      .ltrim(key, 0, rememberedRequests - 1)
      .pexpire(key, requestsTtlMs)
    await run(() => transaction.exec())
  }

  async earlierRequests(msisdn: string): Promise<EarlierRequest[]> {
    const raw = await run(() => this.client.lrange(requestsKey(msisdn), 0, -1))
    return raw.map((entry) => JSON.parse(entry) as EarlierRequest)
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect())
  }
}

function teamKeys(team: string) {
  const base = `routing:{team:${team}}:`
  return {
    queue: `${base}queue`,
    leases: `${base}leases`,
    itemPrefix: `${base}item:`,
    logPrefix: `${base}log:`,
    messagePrefix: `${base}message:`,
  }
}

function itemKeys(team: string, reference: string, messageId: string): string[] {
  const keys = teamKeys(team)
  return [
    keys.itemPrefix + reference,
    keys.logPrefix + reference,
    keys.queue,
    keys.leases,
    keys.messagePrefix + messageId,
  ]
}

function requestsKey(msisdn: string): string {
  return `routing:{person:${msisdn}}:requests`
}

function leaseScore(item: QueueItem): string {
  const leased = item.status === 'claimed' || item.status === 'moving'
  return leased ? String(item.leaseUntil ?? 0) : ''
}

function assertPrefix(prefix: string): void {
  if (!prefix.includes('{')) return
  throw new TypeError(
    `REDIS_KEY_PREFIX "${prefix}" contains "{", which would become the Redis Cluster hash tag. ` +
      'Use a prefix without braces.',
  )
}

async function run<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command()
  } catch (error) {
    throw new StoreUnavailableError(`Redis command failed: ${(error as Error).message}`, {
      cause: error,
    })
  }
}
