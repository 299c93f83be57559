import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DraftRecord, SessionStore, TimerRecord } from '../src/store/session-store.ts'
import { sessionRecord } from './support/session-record.ts'

/** A store built for one contract test, with a way to let time pass for it. */
export interface StoreUnderTest {
  readonly store: SessionStore
  /**
   * Lets `ms` milliseconds pass for every key that expires. A store with an injected clock moves
   * the clock; a store with server-side expiry shortens each key's time to live.
   */
  elapse(ms: number): Promise<void>
}

const alice = '+254700000001'
const bob = '+254700000002'
// Timer due times in milliseconds since the epoch, and the lease a claim takes.
const start = 1_714_557_600_000
const leaseMs = 30_000

/**
 * Defines the suite every `SessionStore` implementation must pass. `createStore` runs before each
 * test and must return an empty store. `cleanup` runs after each test.
 */
export function describeSessionStoreContract<Subject extends StoreUnderTest>(
  name: string,
  createStore: () => Promise<Subject>,
  cleanup: (subject: Subject) => Promise<void>,
): void {
  describe(`${name} session store contract`, () => {
    let subject: Subject
    let store: SessionStore

    beforeEach(async () => {
      subject = await createStore()
      store = subject.store
    })

    afterEach(async () => {
      await cleanup(subject)
    })

    it('load of missing key is null', async () => {
      expect(await store.load('africastalking:ATUid_missing')).toBeNull()
    })

    it('commit of version 1 creates session', async () => {
      const record = sessionRecord({ key: 'africastalking:ATUid_new' })

      expect(await store.commit(record, 60)).toBe(true)
      expect(await store.load(record.key)).toEqual(record)
    })

    it('commit of version 2 on absent key fails', async () => {
      const record = sessionRecord({ key: 'africastalking:ATUid_skip', version: 2 })

      expect(await store.commit(record, 60)).toBe(false)
      expect(await store.load(record.key)).toBeNull()
    })

    it('commit of next version replaces session', async () => {
      const first = sessionRecord({ key: 'africastalking:ATUid_next' })
      const second = sessionRecord({ key: first.key, version: 2, value: 'recipient' })
      await store.commit(first, 60)

      expect(await store.commit(second, 60)).toBe(true)
      expect(await store.load(first.key)).toEqual(second)
    })

    it('commit of stale version changes nothing', async () => {
      const key = 'africastalking:ATUid_stale'
      const saved = sessionRecord({ key, version: 1, value: 'main' })
      const winner = sessionRecord({ key, version: 2, value: 'recipient' })
      const loser = sessionRecord({ key, version: 2, value: 'load_balance' })
      const replay = sessionRecord({ key, version: 1, value: 'name' })
      await store.commit(saved, 60)
      await store.commit(winner, 60)

      expect(await store.commit(loser, 60)).toBe(false)
      expect(await store.commit(replay, 60)).toBe(false)
      expect(await store.load(key)).toEqual(winner)
    })

    it('commit of version ahead fails', async () => {
      const key = 'africastalking:ATUid_ahead'
      const saved = sessionRecord({ key, version: 1 })
      await store.commit(saved, 60)

      expect(await store.commit(sessionRecord({ key, version: 3 }), 60)).toBe(false)
      expect(await store.load(key)).toEqual(saved)
    })

    it('commit sets time to live', async () => {
      const record = sessionRecord({ key: 'africastalking:ATUid_ttl' })
      await store.commit(record, 2)

      await subject.elapse(1500)
      expect(await store.load(record.key)).toEqual(record)

      await subject.elapse(600)
      expect(await store.load(record.key)).toBeNull()
    })

    it('commit refreshes time to live', async () => {
      const key = 'africastalking:ATUid_refresh'
      await store.commit(sessionRecord({ key, version: 1 }), 2)
      await subject.elapse(1500)

      const second = sessionRecord({ key, version: 2 })
      await store.commit(second, 2)
      await subject.elapse(1500)

      expect(await store.load(key)).toEqual(second)
    })

    it('expired session counts as absent', async () => {
      const key = 'africastalking:ATUid_expired'
      await store.commit(sessionRecord({ key, version: 1, value: 'amount' }), 1)
      await subject.elapse(1100)

      const restarted = sessionRecord({ key, version: 1, value: 'main' })
      expect(await store.commit(restarted, 60)).toBe(true)
      expect(await store.load(key)).toEqual(restarted)
    })

    it('remove deletes session', async () => {
      const record = sessionRecord({ key: 'africastalking:ATUid_remove' })
      await store.commit(record, 60)

      await store.remove(record.key)

      expect(await store.load(record.key)).toBeNull()
      expect(await store.commit(record, 60)).toBe(true)
    })

    it('remove of missing key resolves', async () => {
      await expect(store.remove('africastalking:ATUid_never')).resolves.toBeUndefined()
    })

    it('removeSessionsOf removes one subscriber', async () => {
      const alices = ['ATUid_a1', 'ATUid_a2', 'ATUid_a3'].map((id) =>
        sessionRecord({ key: `africastalking:${id}`, msisdn: alice }),
      )
      const bobs = sessionRecord({ key: 'africastalking:ATUid_b1', msisdn: bob })
      for (const record of [...alices, bobs]) await store.commit(record, 60)
      await store.saveContact({ msisdn: alice, language: 'sw', updatedAt: 1 })

      expect(await store.removeSessionsOf(alice)).toBe(3)

      for (const record of alices) expect(await store.load(record.key)).toBeNull()
      expect(await store.load(bobs.key)).toEqual(bobs)
      expect(await store.loadContact(alice)).toEqual({
        msisdn: alice,
        language: 'sw',
        updatedAt: 1,
      })
    })

    it('removeSessionsOf unknown subscriber returns 0', async () => {
      await store.commit(sessionRecord({ key: 'africastalking:ATUid_kept', msisdn: bob }), 60)

      expect(await store.removeSessionsOf(alice)).toBe(0)
      expect(await store.load('africastalking:ATUid_kept')).not.toBeNull()
    })

    it('loadContact of unknown subscriber is null', async () => {
      expect(await store.loadContact(alice)).toBeNull()
    })

    it('saveContact then loadContact round trips', async () => {
      const contact = { msisdn: alice, language: 'sw', updatedAt: 1_714_557_600_000 }

      await store.saveContact(contact)

      expect(await store.loadContact(alice)).toEqual(contact)
      expect(await store.loadContact(bob)).toBeNull()
    })

    it('saveContact replaces earlier contact', async () => {
      await store.saveContact({ msisdn: alice, language: 'sw', updatedAt: 1 })
      await store.saveContact({ msisdn: alice, language: 'en', updatedAt: 2 })

      expect(await store.loadContact(alice)).toEqual({
        msisdn: alice,
        language: 'en',
        updatedAt: 2,
      })
    })

    it('loadDraft of unknown draft is null', async () => {
      expect(await store.loadDraft(alice, 'wallet')).toBeNull()
    })

    it('saveDraft then loadDraft round trips', async () => {
      const saved = draft({ msisdn: alice, flowId: 'wallet' })

      await store.saveDraft(saved, 60)

      expect(await store.loadDraft(alice, 'wallet')).toEqual(saved)
      expect(await store.loadDraft(alice, 'clinic')).toBeNull()
      expect(await store.loadDraft(bob, 'wallet')).toBeNull()
    })

    it('saveDraft replaces earlier draft', async () => {
      await store.saveDraft(draft({ msisdn: alice, flowId: 'wallet', value: 'recipient' }), 60)
      const later = draft({ msisdn: alice, flowId: 'wallet', value: 'amount' })

      await store.saveDraft(later, 60)

      expect(await store.loadDraft(alice, 'wallet')).toEqual(later)
    })

    it('saveDraft sets time to live', async () => {
      const saved = draft({ msisdn: alice, flowId: 'wallet' })
      await store.saveDraft(saved, 2)

      await subject.elapse(1500)
      expect(await store.loadDraft(alice, 'wallet')).toEqual(saved)

      await subject.elapse(600)
      expect(await store.loadDraft(alice, 'wallet')).toBeNull()
    })

    it('removeDraft deletes one flow', async () => {
      await store.saveDraft(draft({ msisdn: alice, flowId: 'wallet' }), 60)
      const clinicDraft = draft({ msisdn: alice, flowId: 'clinic' })
      await store.saveDraft(clinicDraft, 60)

      await store.removeDraft(alice, 'wallet')

      expect(await store.loadDraft(alice, 'wallet')).toBeNull()
      expect(await store.loadDraft(alice, 'clinic')).toEqual(clinicDraft)
    })

    it('claimDueTimers returns due timers in order', async () => {
      const later = timer({ id: 'later', dueAt: start + 2000 })
      const first = timer({ id: 'first', dueAt: start + 1000 })
      const future = timer({ id: 'future', dueAt: start + 3000 })
      for (const scheduled of [later, first, future]) await store.scheduleTimer(scheduled)

      expect(await store.claimDueTimers(start, 10, leaseMs)).toEqual([])
      expect(await store.claimDueTimers(start + 2000, 10, leaseMs)).toEqual([first, later])
    })

    it('claimDueTimers takes at most limit', async () => {
      const first = timer({ id: 'first', dueAt: start + 1000 })
      await store.scheduleTimer(timer({ id: 'second', dueAt: start + 2000 }))
      await store.scheduleTimer(first)

      expect(await store.claimDueTimers(start + 5000, 1, leaseMs)).toEqual([first])
    })

    it('claimed timer is hidden for lease', async () => {
      const due = timer({ id: 'due', dueAt: start })
      await store.scheduleTimer(due)

      expect(await store.claimDueTimers(start, 10, leaseMs)).toEqual([due])
      expect(await store.claimDueTimers(start + leaseMs - 1, 10, leaseMs)).toEqual([])
      expect(await store.claimDueTimers(start + leaseMs, 10, leaseMs)).toEqual([due])
    })

    it('completeTimer removes claimed timer', async () => {
      const due = timer({ id: 'due', dueAt: start })
      await store.scheduleTimer(due)
      await store.claimDueTimers(start, 10, leaseMs)

      await store.completeTimer(due.id)

      expect(await store.claimDueTimers(start + 10 * leaseMs, 10, leaseMs)).toEqual([])
    })

    it('scheduleTimer replaces same id', async () => {
      await store.scheduleTimer(timer({ id: 'reminder', dueAt: start }))
      const moved = timer({ id: 'reminder', dueAt: start + 5000, event: { type: 'moved' } })

      await store.scheduleTimer(moved)

      expect(await store.claimDueTimers(start + 4999, 10, leaseMs)).toEqual([])
      expect(await store.claimDueTimers(start + 5000, 10, leaseMs)).toEqual([moved])
    })

    it('ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined()
    })
  })
}

function draft(fields: Partial<DraftRecord> & Pick<DraftRecord, 'msisdn' | 'flowId'>): DraftRecord {
  return {
    flowVersion: 1,
    flowRevision: 'test',
    value: 'amount',
    context: { recipient: '+254700000002' },
    history: ['main', 'recipient'],
    savedAt: start,
    ...fields,
  }
}

function timer(fields: Partial<TimerRecord> & Pick<TimerRecord, 'id' | 'dueAt'>): TimerRecord {
  return {
    sessionKey: 'africastalking:ATUid_timer',
    version: 3,
    event: { type: 'reminder' },
    ...fields,
  }
}
