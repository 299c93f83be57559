import type { Effect } from '../engine/effects.ts'

/** A reply as the engine produces it; each channel adapter renders it in its own format. */
export interface SessionReply {
  /** True when the session ends with this reply. */
  readonly end: boolean
  readonly text: string
}

/** A USSD, voice or SMS session: its place in the flow and the reply sent last. */
export interface SessionRecord {
  /** `<provider>:<sessionId>`; the store adds its prefix and hash tag. */
  readonly key: string
  readonly msisdn: string
  readonly flowId: string
  readonly flowVersion: number
  readonly flowRevision: string
  /** Raised by one on every save; a save only succeeds against the version it loaded. */
  readonly version: number
  /**
   * `active` while the flow waits for the subscriber; `background` while a slow task finishes
   * after the hop answered; `dropped` when the session ended before its flow did.
   */
  readonly status: 'active' | 'done' | 'failed' | 'background' | 'dropped'
  /** XState state value and context. */
  readonly value: unknown
  readonly context: Record<string, unknown>
  /** Screens the back key returns to, newest last. */
  readonly history: readonly unknown[]
  /** First option index of each page shown on the current screen, current page last. */
  readonly pages: readonly number[]
  /** Number of options shown on the current page. */
  readonly shown: number
  /** Length and hash of the last cumulative input, so a retry is recognised without storing it. */
  readonly lastInputLength: number
  readonly lastInputHash: string
  /** The reply sent last, returned again for a retried callback. */
  readonly lastReply: SessionReply
  readonly updatedAt: number
  /** The code or number the subscriber reached, for the texts that tell them how to come back. */
  readonly serviceCode?: string
  /** Set while the session shows the offer to continue an unfinished one. */
  readonly offer?: 'resume'
  /** Effects of the last save, dispatched again when a retried callback finds them. */
  readonly pendingEffects?: readonly Effect[]
}

/** The per-subscriber data Switchboard keeps across sessions and channels. */
export interface ContactRecord {
  readonly msisdn: string
  readonly language?: string
  readonly updatedAt: number
}

/** The answers a dropped session captured, kept per subscriber and flow to continue later. */
export interface DraftRecord {
  readonly msisdn: string
  readonly flowId: string
  readonly flowVersion: number
  readonly flowRevision: string
  readonly value: unknown
  readonly context: Record<string, unknown>
  readonly history: readonly unknown[]
  /** Milliseconds since the epoch. */
  readonly savedAt: number
}

/**
 * An event due for a session at a time: an XState `after` delay or a session deadline. It only
 * applies while the session is still at `version`; a session that moved on drops it.
 */
export interface TimerRecord {
  /** Unique per session, version and delay, so scheduling twice keeps one timer. */
  readonly id: string
  readonly sessionKey: string
  readonly version: number
  readonly event: { readonly type: string; readonly [key: string]: unknown }
  /** Milliseconds since the epoch. */
  readonly dueAt: number
}

/**
 * Storage for sessions and contacts. Every implementation passes the store contract suite in
 * `test/store-contract.ts`.
 */
export interface SessionStore {
  load(key: string): Promise<SessionRecord | null>
  /**
   * Saves `record` only if the stored version is still `record.version - 1` (absent counts as
   * 0), and sets its time to live. Returns false on a version conflict and changes nothing.
   */
  commit(record: SessionRecord, ttlSeconds: number): Promise<boolean>
  remove(key: string): Promise<void>
  /** Removes every session of one subscriber and returns how many were removed. */
  removeSessionsOf(msisdn: string): Promise<number>
  loadContact(msisdn: string): Promise<ContactRecord | null>
  saveContact(contact: ContactRecord): Promise<void>
  saveDraft(draft: DraftRecord, ttlSeconds: number): Promise<void>
  loadDraft(msisdn: string, flowId: string): Promise<DraftRecord | null>
  removeDraft(msisdn: string, flowId: string): Promise<void>
  /** Adds a timer; a timer with the same id is replaced, not duplicated. */
  scheduleTimer(timer: TimerRecord): Promise<void>
  /**
   * Takes up to `limit` timers due at `now` and hides them for `leaseMs`, so two workers never
   * take the same one. A timer not completed within its lease becomes due again.
   */
  claimDueTimers(now: number, limit: number, leaseMs: number): Promise<TimerRecord[]>
  completeTimer(id: string): Promise<void>
  /** Resolves when the store answers, rejects when it is unreachable. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** Raised by a store that cannot reach its backing service in time. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
  }
}
