import type {
  ContactRecord,
  DraftRecord,
  SessionRecord,
  SessionStore,
  TimerRecord,
} from './session-store.ts'

interface Entry {
  record: SessionRecord
  expiresAt: number
}

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; injected so tests can move time. */
  now?: () => number
}

/**
 * The embedded store for a single process: sessions and contacts in maps, with expiry checked
 * on read. Nothing survives a restart.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Entry>()
  private readonly contacts = new Map<string, ContactRecord>()
  private readonly drafts = new Map<string, { draft: DraftRecord; expiresAt: number }>()
  private readonly timers = new Map<string, { timer: TimerRecord; visibleAt: number }>()
  private readonly now: () => number
  private commitsSinceSweep = 0

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now
  }

  async load(key: string): Promise<SessionRecord | null> {
    return this.live(key)?.record ?? null
  }

  async commit(record: SessionRecord, ttlSeconds: number): Promise<boolean> {
    const storedVersion = this.live(record.key)?.record.version ?? 0
    if (storedVersion !== record.version - 1) return false

    this.sessions.set(record.key, { record, expiresAt: this.now() + ttlSeconds * 1000 })
    this.sweepNowAndThen()
    return true
  }

  async remove(key: string): Promise<void> {
    this.sessions.delete(key)
  }

  async removeSessionsOf(msisdn: string): Promise<number> {
    let removed = 0
    for (const [key, entry] of this.sessions) {
      if (entry.record.msisdn !== msisdn) continue
      this.sessions.delete(key)
      removed += 1
    }
    return removed
  }

  async loadContact(msisdn: string): Promise<ContactRecord | null> {
    return this.contacts.get(msisdn) ?? null
  }

  async saveContact(contact: ContactRecord): Promise<void> {
    this.contacts.set(contact.msisdn, contact)
  }

  async saveDraft(draft: DraftRecord, ttlSeconds: number): Promise<void> {
    const expiresAt = this.now() + ttlSeconds * 1000
    this.drafts.set(draftKey(draft.msisdn, draft.flowId), { draft, expiresAt })
  }

  async loadDraft(msisdn: string, flowId: string): Promise<DraftRecord | null> {
    const key = draftKey(msisdn, flowId)
    const entry = this.drafts.get(key)
    if (!entry) return null

    if (entry.expiresAt <= this.now()) {
      this.drafts.delete(key)
      return null
    }
    return entry.draft
  }

  async removeDraft(msisdn: string, flowId: string): Promise<void> {
    this.drafts.delete(draftKey(msisdn, flowId))
  }

  async scheduleTimer(timer: TimerRecord): Promise<void> {
    this.timers.set(timer.id, { timer, visibleAt: timer.dueAt })
  }

  async claimDueTimers(now: number, limit: number, leaseMs: number): Promise<TimerRecord[]> {
    const due = [...this.timers.values()]
      .filter((entry) => entry.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt)
      .slice(0, limit)

    for (const entry of due) entry.visibleAt = now + leaseMs
    return due.map((entry) => entry.timer)
  }

  async completeTimer(id: string): Promise<void> {
    this.timers.delete(id)
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.sessions.clear()
  }

  // Expired sessions are dropped on read; this drops the ones nobody reads again, so a
  // long-running pilot does not grow without bound.
  private sweepNowAndThen(): void {
    this.commitsSinceSweep += 1
    if (this.commitsSinceSweep < 1000) return

    this.commitsSinceSweep = 0
    const now = this.now()
    for (const [key, entry] of this.sessions) {
      if (entry.expiresAt <= now) this.sessions.delete(key)
    }
  }

  private live(key: string): Entry | undefined {
    const entry = this.sessions.get(key)
    if (!entry) return undefined

    if (entry.expiresAt <= this.now()) {
      this.sessions.delete(key)
      return undefined
    }
    return entry
  }
}

function draftKey(msisdn: string, flowId: string): string {
  return `${msisdn}|${flowId}`
}
