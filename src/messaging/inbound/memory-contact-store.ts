import type { MemorySessionStore } from '../../store/memory-store.ts'
import type { ContactRecord } from '../../store/session-store.ts'
import { maskMsisdn } from '../../text/phone.ts'
import {
  assertE164,
  ContactConflictError,
  defaultUpdateAttempts,
  emptyContact,
  readContact,
  type Contact,
  type ContactStore,
} from './contacts.ts'

export interface MemoryContactStoreOptions {
  /**
   * The embedded session store, to share its contacts, so a language saved by a USSD session is
   * read here and the other way round. Without it, contacts live in a map of their own.
   */
  readonly sessions?: MemorySessionStore
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly now?: () => number
  readonly maxAttempts?: number
}

/** Contacts in process memory, for a single process. Nothing survives a restart. */
export class MemoryContactStore implements ContactStore {
  private readonly contacts = new Map<string, ContactRecord>()
  private readonly queues = new Map<string, Promise<void>>()
  private readonly now: () => number
  private readonly maxAttempts: number

  constructor(private readonly options: MemoryContactStoreOptions = {}) {
    this.now = options.now ?? Date.now
    this.maxAttempts = options.maxAttempts ?? defaultUpdateAttempts
  }

  async get(msisdn: string): Promise<Contact | null> {
    const stored = await this.load(msisdn)
    return stored === null ? null : readContact(stored)
  }

  async update(msisdn: string, change: (contact: Contact) => Contact): Promise<Contact> {
    assertE164(msisdn)
    return this.oneAtATime(msisdn, () => this.tryUpdate(msisdn, change))
  }

  async close(): Promise<void> {
    this.contacts.clear()
  }

  private async tryUpdate(msisdn: string, change: (contact: Contact) => Contact): Promise<Contact> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const stored = await this.load(msisdn)
      const current = stored === null ? emptyContact(msisdn, this.now()) : readContact(stored)
      const next = change(current)
      if (next === current) return current

      const saved: Contact = { ...next, msisdn, updatedAt: this.now() }
      if (await this.saveIfUnchanged(msisdn, stored, saved)) return saved
    }
    throw new ContactConflictError(
      `Contact ${maskMsisdn(msisdn)} changed during each of ${this.maxAttempts} update attempts. Retry later.`,
    )
  }

  // Runs updates of one number in turn, so two updates never read the same version.
  private oneAtATime<T>(msisdn: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(msisdn) ?? Promise.resolve()
    const run = previous.then(task)
    const settled = run.then(
      () => undefined,
      () => undefined,
    )
    this.queues.set(msisdn, settled)
    void settled.then(() => {
      if (this.queues.get(msisdn) === settled) this.queues.delete(msisdn)
    })
    return run
  }

  private async load(msisdn: string): Promise<ContactRecord | null> {
    if (this.options.sessions) return this.options.sessions.loadContact(msisdn)
    return this.contacts.get(msisdn) ?? null
  }

  // Catches a write by the session store (a language saved by a USSD session) since the load:
  // it returns the stored object itself, so an unchanged contact is the same object.
  // NOTE: a session-store write in the microtask between this check and the write is still lost.
  // Saving the language through `update` instead of `saveContact` closes that gap.
  private async saveIfUnchanged(
    msisdn: string,
    expected: ContactRecord | null,
    contact: Contact,
  ): Promise<boolean> {
    if ((await this.load(msisdn)) !== expected) return false

    if (this.options.sessions) await this.options.sessions.saveContact(contact)
    else this.contacts.set(msisdn, contact)
    return true
  }
}
