import type { Logger } from 'pino'
import type {
  ContactRecord,
  DraftRecord,
  SessionRecord,
  SessionStore,
  TimerRecord,
} from '../../store/session-store.ts'
import { contactChanges } from './contact-changes.ts'
import { channelOfSession, recordEventOnce } from './contact-events.ts'
import type { ContactStore } from './contacts.ts'

/**
 * The session store as the USSD and voice engines see it when contacts are kept:
 * - `saveContact` applies only the language, through the contact store's compare-and-set update,
 *   so a language saved after a hop never overwrites an opt-out, open questions or history saved
 *   since the engine read the contact;
 * - a commit that ends a session (done, failed, dropped) adds the outcome to the contact history.
 *
 * Everything else goes to `store` unchanged.
 */
export class ContactTrackingStore implements SessionStore {
  constructor(
    private readonly store: SessionStore,
    private readonly contacts: ContactStore,
    private readonly logger: Logger,
  ) {}

  async saveContact(contact: ContactRecord): Promise<void> {
    const language = contact.language
    if (language === undefined) return
    await this.contacts.update(contact.msisdn, (stored) =>
      contactChanges.setLanguage(stored, language),
    )
  }

  async commit(record: SessionRecord, ttlSeconds: number): Promise<boolean> {
    const saved = await this.store.commit(record, ttlSeconds)
    if (saved && isEnded(record)) await this.recordSessionEnd(record)
    return saved
  }

  load(key: string): Promise<SessionRecord | null> {
    return this.store.load(key)
  }

  remove(key: string): Promise<void> {
    return this.store.remove(key)
  }

  removeSessionsOf(msisdn: string): Promise<number> {
    return this.store.removeSessionsOf(msisdn)
  }

  loadContact(msisdn: string): Promise<ContactRecord | null> {
    return this.store.loadContact(msisdn)
  }

  saveDraft(draft: DraftRecord, ttlSeconds: number): Promise<void> {
    return this.store.saveDraft(draft, ttlSeconds)
  }

  loadDraft(msisdn: string, flowId: string): Promise<DraftRecord | null> {
    return this.store.loadDraft(msisdn, flowId)
  }

  removeDraft(msisdn: string, flowId: string): Promise<void> {
    return this.store.removeDraft(msisdn, flowId)
  }

  scheduleTimer(timer: TimerRecord): Promise<void> {
    return this.store.scheduleTimer(timer)
  }

  claimDueTimers(now: number, limit: number, leaseMs: number): Promise<TimerRecord[]> {
    return this.store.claimDueTimers(now, limit, leaseMs)
  }

  completeTimer(id: string): Promise<void> {
    return this.store.completeTimer(id)
  }

  ping(): Promise<void> {
    return this.store.ping()
  }

  close(): Promise<void> {
    return this.store.close()
  }

  // A failure is logged and not raised, because the session is already saved.
  private async recordSessionEnd(record: SessionRecord): Promise<void> {
    const event = {
      kind: 'session' as const,
      channel: channelOfSession(record.key),
      at: record.updatedAt,
      ref: record.key,
      outcome: record.status,
    }
    try {
      await this.contacts.update(record.msisdn, (contact) => recordEventOnce(contact, event))
    } catch (error) {
      this.logger.warn({ err: error, session: record.key }, 'session end not added to the history')
    }
  }
}

function isEnded(record: SessionRecord): boolean {
  return record.status === 'done' || record.status === 'failed' || record.status === 'dropped'
}
