import { maskMsisdn } from '../../text/phone.ts'
import type { ContactRecord } from '../../store/session-store.ts'
import type { QuestionToMatch } from './choose-question.ts'

/** Whether a subscriber receives non-transactional messages, and what last changed it. */
export interface OptOutStatus {
  readonly optedOut: boolean
  /** The keyword or cause (`STOP`, `START`, `UserInBlackList`, `operator`). */
  readonly reason: string
  /** The channel or system that made the change: `sms`, `ussd`, `delivery-report`, `api`. */
  readonly source: string
  /** Milliseconds since the epoch. */
  readonly at: number
}

/** One recent message or session of a subscriber, on any channel. */
export interface ContactEvent {
  readonly kind: 'sms-in' | 'sms-out' | 'session'
  readonly channel: 'sms' | 'ussd' | 'voice'
  /** Milliseconds since the epoch. */
  readonly at: number
  /** The message id or session key. */
  readonly ref?: string
  /** The message text, cut to `maxEventTextLength` characters. */
  readonly text?: string
  /** The result: `opt-out`, `answered`, `queued:support`, or `done` and `failed` for a session. */
  readonly outcome?: string
}

/** A question sent to a subscriber by a flow that now waits for the reply. */
export interface OpenQuestion extends QuestionToMatch {
  readonly flowId: string
  /** The flow state that waits for the answer. */
  readonly state: string
}

/**
 * The record of one subscriber (one per E.164 number) across channels. It extends the
 * session store's `ContactRecord` and is stored under the same key in the same JSON shape, so a
 * language saved by a USSD session is read here, and the engine's language update keeps the
 * fields below.
 */
export interface Contact extends ContactRecord {
  /** Absent until the subscriber first opts out; absent means opted in. */
  readonly optOut?: OptOutStatus
  /** Recent messages and sessions, oldest first, at most `maxContactEvents`. */
  readonly history: readonly ContactEvent[]
  /** Questions waiting for a reply, at most `maxOpenQuestions`. */
  readonly openQuestions: readonly OpenQuestion[]
}

/**
 * Contacts keyed by E.164 number. Every implementation passes the contract suite in
 * `test/contacts.test.ts`.
 */
export interface ContactStore {
  get(msisdn: string): Promise<Contact | null>
  /**
   * Applies `change` to the stored contact (or to a new empty one) and saves the result only if
   * nobody saved the contact in between. Otherwise it reads the contact again and retries, so
   * `change` may run more than once and must not have side effects. Returning the contact
   * unchanged (the same object) saves nothing. Sets `updatedAt`, and returns what was saved.
   * Raises `ContactConflictError` when every attempt lost a race.
   */
  update(msisdn: string, change: (contact: Contact) => Contact): Promise<Contact>
  close(): Promise<void>
}

/** Raised when a contact update lost the race to other writers on every attempt. */
export class ContactConflictError extends Error {
  override readonly name = 'ContactConflictError'
}

/** Attempts an update makes before it raises `ContactConflictError`. */
export const defaultUpdateAttempts = 10

/** Returns a contact with nothing stored yet. */
export function emptyContact(msisdn: string, now: number): Contact {
  return { msisdn, updatedAt: now, history: [], openQuestions: [] }
}

/** Reads a stored record, which may have been saved by the session store with fewer fields. */
export function readContact(stored: ContactRecord & Partial<Contact>): Contact {
  return { ...stored, history: stored.history ?? [], openQuestions: stored.openQuestions ?? [] }
}

/** Raises when `msisdn` is not in E.164 form, so one subscriber never gets two records. */
export function assertE164(msisdn: string): void {
  if (/^\+[1-9]\d{6,14}$/.test(msisdn)) return
  throw new TypeError(
    `Contact number "${maskMsisdn(msisdn)}" is not in E.164 form. Normalise it with normalizeMsisdn first.`,
  )
}
