import { randomUUID } from 'node:crypto'
import { Cluster, Redis, type ClusterNode } from 'ioredis'
import type { Logger } from 'pino'
import { failFastOptions } from '../store/redis-store.ts'
import {
  defaultRetentionMs,
  maxUnrecognizedReports,
  movableFrom,
  type DeliveryUpdate,
  type NewOutboxMessage,
  type OutboxMessage,
  type OutboxOperation,
  type OutboxStatus,
  type OutboxStore,
  type UnrecognizedReport,
} from './outbox-store.ts'
import { claimLua, deliveryLua, enqueueLua, transitionLua } from './redis-outbox-scripts.ts'
import { logRedisConnection, waitForRedis } from './redis-connection.ts'
import type { FailedOutcome, SentOutcome } from './sms-sender.ts'

type Client = Redis | Cluster

type ScriptClient = Client & {
  outboxEnqueue(...args: string[]): Promise<[string, number]>
  outboxClaim(...args: string[]): Promise<string[][]>
  outboxTransition(...args: string[]): Promise<number>
  outboxDelivery(...args: string[]): Promise<number>
}

export interface RedisOutboxOptions {
  /**
   * Prefix of every key, applied by ioredis. It must not contain `{`, which would move the hash
   * tag.
   */
  readonly keyPrefix: string
  /** Milliseconds before a command fails. */
  readonly commandTimeoutMs: number
  readonly logger: Logger
  /** Milliseconds since the epoch, for `createdAt` and `updatedAt`; injected for tests. */
  readonly now?: () => number
  /** Milliseconds a finished message and its index keys are kept. */
  readonly retentionMs?: number
}

// All outbox keys share this hash tag, so every script runs on one Redis Cluster node.
const base = 'outbox:{sms}:'
const keys = {
  due: `${base}due`,
  message: `${base}msg:`,
  idempotency: `${base}key:`,
  provider: `${base}provider:`,
  unrecognized: `${base}unrecognized`,
}
const scriptKeys = [keys.due, keys.message, keys.idempotency, keys.provider]

/** The durable outbox in Redis: one hash per message and a sorted set of due times. */
export class RedisOutboxStore implements OutboxStore {
  private readonly client: ScriptClient
  private readonly now: () => number
  private readonly retentionMs: number

  private constructor(client: Client, options: RedisOutboxOptions) {
    client.defineCommand('outboxEnqueue', { numberOfKeys: 4, lua: enqueueLua })
    client.defineCommand('outboxClaim', { numberOfKeys: 4, lua: claimLua })
    client.defineCommand('outboxTransition', { numberOfKeys: 4, lua: transitionLua })
    client.defineCommand('outboxDelivery', { numberOfKeys: 4, lua: deliveryLua })
    this.client = client as ScriptClient
    this.now = options.now ?? Date.now
    this.retentionMs = options.retentionMs ?? defaultRetentionMs
    logRedisConnection(client, options.logger, 'outbox')
  }

  /** Connects to a single Redis server, with the fail-fast options of the session store. */
  static async connect(options: RedisOutboxOptions & { url: string }): Promise<RedisOutboxStore> {
    assertPrefix(options.keyPrefix)
    const client = new Redis(options.url, failFastOptions(options))
    const store = new RedisOutboxStore(client, options)
    await waitForRedis(client, options.logger)
    return store
  }

  /** Connects to a Redis Cluster through any of its `nodes`. */
  static async connectCluster(
    options: RedisOutboxOptions & { nodes: ClusterNode[] },
  ): Promise<RedisOutboxStore> {
    assertPrefix(options.keyPrefix)
    const { keyPrefix, ...redisOptions } = failFastOptions(options)
    const client = new Cluster(options.nodes, {
      keyPrefix,
      enableOfflineQueue: false,
      redisOptions,
    })
    const store = new RedisOutboxStore(client, options)
    await waitForRedis(client, options.logger)
    return store
  }

  async enqueue(message: NewOutboxMessage): Promise<{ id: string; created: boolean }> {
    const now = this.now()
    const id = randomUUID()
    const fields = encodeFields({
      ...message,
      id,
      status: 'queued',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      dueAt: message.dueAt ?? now,
    })
    const dueAt = String(message.dueAt ?? now)
    const [storedId, created] = await this.client.outboxEnqueue(
      ...scriptKeys,
      id,
      dueAt,
      message.idempotencyKey,
      ...fields,
    )
    return { id: storedId, created: created === 1 }
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    const claimed = await this.client.outboxClaim(
      ...scriptKeys,
      String(now),
      String(limit),
      String(now + leaseMs),
    )
    return claimed.map((flat) => decodeMessage(pairsToRecord(flat)))
  }

  async complete(id: string, outcome: SentOutcome): Promise<boolean> {
    return this.transition(id, 'complete', 'sent', {
      providerId: outcome.messageId,
      ttl: this.retentionMs,
      fields: { lastOutcome: JSON.stringify(outcome) },
    })
  }

  async retryLater(id: string, dueAt: number, outcome: FailedOutcome): Promise<boolean> {
    return this.transition(id, 'retryLater', 'queued', {
      dueAt,
      fields: { lastOutcome: JSON.stringify(outcome) },
    })
  }

  async fail(id: string, outcome: FailedOutcome): Promise<boolean> {
    return this.transition(id, 'fail', 'failed', {
      ttl: this.retentionMs,
      fields: { lastOutcome: JSON.stringify(outcome) },
    })
  }

  async suppress(id: string, reason: string): Promise<boolean> {
    return this.transition(id, 'suppress', 'suppressed', {
      ttl: this.retentionMs,
      fields: { suppressedReason: reason },
    })
  }

  async recordDelivery(id: string, update: DeliveryUpdate): Promise<boolean> {
    const { finalStatus, ...delivery } = update
    const applied = await this.client.outboxDelivery(
      ...scriptKeys,
      id,
      String(this.now()),
      String(update.rank),
      JSON.stringify(delivery),
      finalStatus ?? '',
      String(this.retentionMs),
    )
    return applied === 1
  }

  async get(id: string): Promise<OutboxMessage | null> {
    const fields = await this.client.hgetall(keys.message + id)
    return Object.keys(fields).length === 0 ? null : decodeMessage(fields)
  }

  async findByProviderId(providerMessageId: string): Promise<OutboxMessage | null> {
    const id = await this.client.get(keys.provider + providerMessageId)
    return id === null ? null : this.get(id)
  }

  async saveUnrecognizedReport(report: UnrecognizedReport): Promise<void> {
    await this.client
      .multi()
      .lpush(keys.unrecognized, JSON.stringify(report))
      .ltrim(keys.unrecognized, 0, maxUnrecognizedReports - 1)
      .exec()
  }

  async listUnrecognizedReports(limit: number): Promise<UnrecognizedReport[]> {
    const raw = await this.client.lrange(keys.unrecognized, 0, limit - 1)
    return raw.map((entry) => JSON.parse(entry) as UnrecognizedReport)
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect())
  }

  private async transition(
    id: string,
    operation: OutboxOperation,
    to: OutboxStatus,
    change: { dueAt?: number; providerId?: string; ttl?: number; fields: Record<string, string> },
  ): Promise<boolean> {
    const moved = await this.client.outboxTransition(
      ...scriptKeys,
      id,
      String(this.now()),
      movableFrom[operation].join(','),
      to,
      change.dueAt === undefined ? '' : String(change.dueAt),
      change.providerId ?? '',
      change.ttl === undefined ? '' : String(change.ttl),
      ...Object.entries(change.fields).flat(),
    )
    return moved === 1
  }
}

function assertPrefix(keyPrefix: string): void {
  if (keyPrefix.includes('{')) {
    throw new Error(
      `Redis key prefix "${keyPrefix}" contains "{", which would replace the outbox hash tag ` +
        'and split its keys across Cluster slots. Use a prefix without braces.',
    )
  }
}

const jsonFields = new Set(['context', 'lastOutcome', 'delivery'])
const numberFields = new Set(['attempts', 'createdAt', 'updatedAt', 'dueAt', 'leaseUntil'])

function encodeFields(message: OutboxMessage): string[] {
  const pairs: string[] = []
  for (const [name, value] of Object.entries(message)) {
    if (value === undefined) continue
    pairs.push(name, jsonFields.has(name) ? JSON.stringify(value) : String(value))
  }
  return pairs
}

function decodeMessage(fields: Record<string, string>): OutboxMessage {
  const message: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'deliveryRank') continue
    if (jsonFields.has(name)) message[name] = JSON.parse(value)
    else if (numberFields.has(name)) message[name] = Number(value)
    else message[name] = value
  }
  return message as unknown as OutboxMessage
}

function pairsToRecord(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!
  return record
}
