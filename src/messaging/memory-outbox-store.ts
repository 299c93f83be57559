import { randomUUID } from 'node:crypto'
import {
  defaultRetentionMs,
  maxUnrecognizedReports,
  movableFrom,
  type DeliveryUpdate,
  type NewOutboxMessage,
  type OutboxMessage,
  type OutboxOperation,
  type OutboxStore,
  type UnrecognizedReport,
} from './outbox-store.ts'
import type { FailedOutcome, SentOutcome } from './sms-sender.ts'

export interface MemoryOutboxOptions {
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
  /** Milliseconds a finished message is kept before it is dropped. */
  readonly retentionMs?: number
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

// Finished messages are swept at most this often, in milliseconds of the store's clock.
const sweepIntervalMs = 60_000

/**
 * The embedded outbox: messages in process memory, lost on restart. Every operation runs
 * synchronously between awaits, which makes each one atomic within the process.
 */
export class MemoryOutboxStore implements OutboxStore {
  private readonly messages = new Map<string, Mutable<OutboxMessage>>()
  private readonly idsByKey = new Map<string, string>()
  private readonly idsByProviderId = new Map<string, string>()
  private readonly finishedAt = new Map<string, number>()
  private readonly unrecognized: UnrecognizedReport[] = []
  private readonly now: () => number
  private readonly retentionMs: number
  private lastSweep = 0

  constructor(options: MemoryOutboxOptions = {}) {
    this.now = options.now ?? Date.now
    this.retentionMs = options.retentionMs ?? defaultRetentionMs
  }

  async enqueue(message: NewOutboxMessage): Promise<{ id: string; created: boolean }> {
    const existing = this.idsByKey.get(message.idempotencyKey)
    if (existing !== undefined) return { id: existing, created: false }

    const now = this.now()
    const id = randomUUID()
    this.messages.set(id, {
      ...message,
      id,
      status: 'queued',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      dueAt: message.dueAt ?? now,
    })
    this.idsByKey.set(message.idempotencyKey, id)
    return { id, created: true }
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    this.sweep(now)
    const due = [...this.messages.values()]
      .filter((m) => (m.status === 'queued' || m.status === 'sending') && m.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit)

    return due.map((message) => {
      message.status = 'sending'
      message.attempts += 1
      message.leaseUntil = now + leaseMs
      message.dueAt = now + leaseMs
      message.updatedAt = now
      return structuredClone(message)
    })
  }

  async complete(id: string, outcome: SentOutcome): Promise<boolean> {
    const message = this.move(id, 'complete', 'sent')
    if (message === null) return false
    message.providerMessageId = outcome.messageId
    message.lastOutcome = outcome
    this.idsByProviderId.set(outcome.messageId, id)
    this.finish(id)
    return true
  }

  async retryLater(id: string, dueAt: number, outcome: FailedOutcome): Promise<boolean> {
    const message = this.move(id, 'retryLater', 'queued')
    if (message === null) return false
    message.dueAt = dueAt
    message.lastOutcome = outcome
    return true
  }

  async fail(id: string, outcome: FailedOutcome): Promise<boolean> {
    const message = this.move(id, 'fail', 'failed')
    if (message === null) return false
    message.lastOutcome = outcome
    this.finish(id)
    return true
  }

  async suppress(id: string, reason: string): Promise<boolean> {
    const message = this.move(id, 'suppress', 'suppressed')
    if (message === null) return false
    message.suppressedReason = reason
    this.finish(id)
    return true
  }

  async recordDelivery(id: string, update: DeliveryUpdate): Promise<boolean> {
    const message = this.messages.get(id)
    if (message === undefined || message.status !== 'sent') return false
    if (update.rank <= (message.delivery?.rank ?? 0)) return false

    const { finalStatus, ...delivery } = update
    message.delivery = delivery
    message.updatedAt = this.now()
    if (finalStatus !== undefined) message.status = finalStatus
    this.finish(id)
    return true
  }

  async get(id: string): Promise<OutboxMessage | null> {
    const message = this.messages.get(id)
    return message === undefined ? null : structuredClone(message)
  }

  async findByProviderId(providerMessageId: string): Promise<OutboxMessage | null> {
    const id = this.idsByProviderId.get(providerMessageId)
    return id === undefined ? null : this.get(id)
  }

  async saveUnrecognizedReport(report: UnrecognizedReport): Promise<void> {
    this.unrecognized.unshift(report)
    if (this.unrecognized.length > maxUnrecognizedReports) this.unrecognized.pop()
  }

  async listUnrecognizedReports(limit: number): Promise<UnrecognizedReport[]> {
    return this.unrecognized.slice(0, limit)
  }

  async close(): Promise<void> {}

  private move(
    id: string,
    operation: OutboxOperation,
    to: OutboxMessage['status'],
  ): Mutable<OutboxMessage> | null {
    const message = this.messages.get(id)
    const from: readonly string[] = movableFrom[operation]
    if (message === undefined || !from.includes(message.status)) return null
    message.status = to
    message.updatedAt = this.now()
    delete message.leaseUntil
    return message
  }

  /** Starts the retention period; a later delivery report starts it again. */
  private finish(id: string): void {
    this.finishedAt.set(id, this.now())
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < sweepIntervalMs) return
    this.lastSweep = now

    for (const [id, finishedAt] of this.finishedAt) {
      if (now - finishedAt < this.retentionMs) continue
      const message = this.messages.get(id)
      this.finishedAt.delete(id)
      this.messages.delete(id)
      if (message === undefined) continue
      this.idsByKey.delete(message.idempotencyKey)
      if (message.providerMessageId) this.idsByProviderId.delete(message.providerMessageId)
    }
  }
}
