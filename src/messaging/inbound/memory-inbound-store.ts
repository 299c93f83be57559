import {
  defaultDedupeWindowSeconds,
  type InboundStore,
  type StoredInboundSms,
} from './inbound-store.ts'
import type { InboundSms } from './parse-inbound-sms.ts'

export interface MemoryInboundStoreOptions {
  /** Seconds a message id is remembered; 48 hours when unset. */
  readonly dedupeWindowSeconds?: number
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly now?: () => number
}

// Expired entries are removed on read, and all of them once every this many saves.
const savesBetweenSweeps = 1000

/** Inbound messages in a map, for a single process. Nothing survives a restart. */
export class MemoryInboundStore implements InboundStore {
  private readonly entries = new Map<string, { stored: StoredInboundSms; expiresAt: number }>()
  private readonly windowMs: number
  private readonly now: () => number
  private savesSinceSweep = 0

  constructor(options: MemoryInboundStoreOptions = {}) {
    this.windowMs = (options.dedupeWindowSeconds ?? defaultDedupeWindowSeconds) * 1000
    this.now = options.now ?? Date.now
  }

  async saveIfNew(message: InboundSms): Promise<boolean> {
    if (this.live(message.id)) return false

    const storedAt = this.now()
    this.entries.set(message.id, {
      stored: { message, storedAt },
      expiresAt: storedAt + this.windowMs,
    })
    this.sweepNowAndThen()
    return true
  }

  async get(id: string): Promise<StoredInboundSms | null> {
    return this.live(id)?.stored ?? null
  }

  async markHandled(id: string, outcome: string): Promise<boolean> {
    const entry = this.live(id)
    if (!entry) return false

    entry.stored = { ...entry.stored, outcome, handledAt: this.now() }
    return true
  }

  async close(): Promise<void> {
    this.entries.clear()
  }

  private live(id: string) {
    const entry = this.entries.get(id)
    if (!entry) return undefined

    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id)
      return undefined
    }
    return entry
  }

  private sweepNowAndThen(): void {
    this.savesSinceSweep += 1
    if (this.savesSinceSweep < savesBetweenSweeps) return

    this.savesSinceSweep = 0
    const now = this.now()
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(id)
    }
  }
}
