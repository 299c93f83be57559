import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { createLogger } from '../src/logger.ts'
import {
  contactChanges,
  isOptedOut,
  maxContactEvents,
  maxEventTextLength,
  maxOpenQuestions,
} from '../src/messaging/inbound/contact-changes.ts'
import {
  ContactConflictError,
  type Contact,
  type ContactEvent,
  type ContactStore,
  type OpenQuestion,
} from '../src/messaging/inbound/contacts.ts'
import { confirmationChoices } from '../src/messaging/inbound/match-answer.ts'
import { MemoryContactStore } from '../src/messaging/inbound/memory-contact-store.ts'
import { contactKey, RedisContactStore } from '../src/messaging/inbound/redis-contact-store.ts'
import { MemorySessionStore } from '../src/store/memory-store.ts'
import { RedisSessionStore } from '../src/store/redis-store.ts'
import type { SessionStore } from '../src/store/session-store.ts'

// One prefix for this file, so its keys never meet those of other suites on the shared server.
const keyPrefix = `test:contacts:${randomUUID()}:`
const logger = createLogger({ level: 'silent' })
const alice = '+254700000001'
const bob = '+254700000002'
const start = Date.UTC(2024, 4, 1, 10, 0, 0)
const minute = 60_000

let plain: Redis

beforeAll(() => {
  plain = new Redis(inject('redisUrl'))
})

afterAll(async () => {
  const keys = await plain.keys(`${keyPrefix}*`)
  if (keys.length > 0) await plain.del(...keys)
  await plain.quit()
})

/** A contact store for one contract test, on a clock the test moves. */
interface ContactStoreUnderTest {
  readonly store: ContactStore
  setNow(ms: number): void
  /** A store whose `change` can write the same contact behind the update's back. */
  withRacingWriter(maxAttempts: number): Promise<{
    store: ContactStore
    writeBehind(contact: Record<string, unknown>): void
    close(): Promise<void>
  }>
}

function smsIn(index: number, fields: Partial<ContactEvent> = {}): ContactEvent {
  return { kind: 'sms-in', channel: 'sms', at: start + index, ref: `id-${index}`, ...fields }
}

function openQuestion(id: string, fields: Partial<OpenQuestion> = {}): OpenQuestion {
  return {
    id,
    flowId: 'transfer',
    sessionKey: `sms:${id}`,
    state: 'confirm',
    expects: confirmationChoices,
    askedAt: start,
    expiresAt: start + 60 * minute,
    ...fields,
  }
}

function describeContactStoreContract(
  name: string,
  createStore: () => Promise<ContactStoreUnderTest>,
): void {
  describe(`${name} contact store contract`, () => {
    let subject: ContactStoreUnderTest
    let store: ContactStore
    // Each test uses fresh numbers, because the Redis suites share one key prefix.
    let msisdn: string
    let other: string

    beforeEach(async () => {
      subject = await createStore()
      store = subject.store
      const suffix = String(Math.floor(Math.random() * 9_000_000) + 1_000_000)
      msisdn = `+25471${suffix}`
      other = `+25472${suffix}`
    })

    afterEach(async () => {
      await store.close()
    })

    it('get of unknown contact is null', async () => {
      expect(await store.get(msisdn)).toBeNull()
    })

    it('update creates empty contact', async () => {
      const saved = await store.update(msisdn, (contact) =>
        contactChanges.setLanguage(contact, 'sw'),
      )

      const expected: Contact = {
        msisdn,
        language: 'sw',
        updatedAt: start,
        history: [],
        openQuestions: [],
      }
      expect(saved).toEqual(expected)
      expect(await store.get(msisdn)).toEqual(expected)
    })

    it('unchanged contact is not saved', async () => {
      const result = await store.update(msisdn, (contact) => contact)

      expect(result.msisdn).toBe(msisdn)
      expect(await store.get(msisdn)).toBeNull()
    })

    it('update sets updatedAt', async () => {
      await store.update(msisdn, (contact) => contactChanges.setLanguage(contact, 'sw'))
      subject.setNow(start + 5 * minute)

      await store.update(msisdn, (contact) => contactChanges.setLanguage(contact, 'en'))

      expect((await store.get(msisdn))?.updatedAt).toBe(start + 5 * minute)
    })

    it('contacts of two numbers are separate', async () => {
      await store.update(msisdn, (contact) => contactChanges.setLanguage(contact, 'sw'))

      expect(await store.get(other)).toBeNull()
    })

    it('opt-out recorded with reason and source', async () => {
      const status = { optedOut: true, reason: 'STOP', source: 'sms', at: start }

      await store.update(msisdn, (contact) => contactChanges.setOptOut(contact, status))

      const saved = await store.get(msisdn)
      expect(saved?.optOut).toEqual(status)
      expect(isOptedOut(saved)).toBe(true)
    })

    it('repeated opt-out keeps first', async () => {
      const first = { optedOut: true, reason: 'STOP', source: 'sms', at: start }
      const repeat = { optedOut: true, reason: 'QUIT', source: 'sms', at: start + minute }
      await store.update(msisdn, (contact) => contactChanges.setOptOut(contact, first))

      await store.update(msisdn, (contact) => contactChanges.setOptOut(contact, repeat))

      expect((await store.get(msisdn))?.optOut).toEqual(first)
    })

    it('opt-in after opt-out', async () => {
      const stop = { optedOut: true, reason: 'STOP', source: 'sms', at: start }
      const restart = { optedOut: false, reason: 'START', source: 'sms', at: start + minute }
      await store.update(msisdn, (contact) => contactChanges.setOptOut(contact, stop))

      await store.update(msisdn, (contact) => contactChanges.setOptOut(contact, restart))

      const saved = await store.get(msisdn)
      expect(saved?.optOut).toEqual(restart)
      expect(isOptedOut(saved)).toBe(false)
    })

    it('history keeps newest twenty', async () => {
      for (let index = 1; index <= maxContactEvents + 5; index++) {
        await store.update(msisdn, (contact) => contactChanges.recordEvent(contact, smsIn(index)))
      }

      const history = (await store.get(msisdn))?.history ?? []
      expect(history).toHaveLength(maxContactEvents)
      expect(history[0]?.ref).toBe('id-6')
      expect(history.at(-1)?.ref).toBe(`id-${maxContactEvents + 5}`)
    })

    it('history text is cut', async () => {
      const text = `Habari 😀 ${'x'.repeat(1000)}`

      await store.update(msisdn, (contact) =>
        contactChanges.recordEvent(contact, smsIn(1, { text })),
      )

      const saved = (await store.get(msisdn))?.history[0]
      expect(saved?.text).toBe(text.slice(0, maxEventTextLength))
    })

    it('history keeps all event kinds', async () => {
      const events: ContactEvent[] = [
        smsIn(1, { text: 'Pay 100+20', outcome: 'queued:support' }),
        { kind: 'sms-out', channel: 'sms', at: start + 2, ref: 'ATXid_1', text: 'Thanks' },
        { kind: 'session', channel: 'ussd', at: start + 3, ref: 'ATUid_1', outcome: 'done' },
      ]

      for (const event of events) {
        await store.update(msisdn, (contact) => contactChanges.recordEvent(contact, event))
      }

      expect((await store.get(msisdn))?.history).toEqual(events)
    })

    it('open question round trips', async () => {
      const question = openQuestion('q1')

      await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, question))

      expect((await store.get(msisdn))?.openQuestions).toEqual([question])
    })

    it('new question replaces same session', async () => {
      const first = openQuestion('q1', { sessionKey: 'sms:s1' })
      const second = openQuestion('q2', { sessionKey: 'sms:s1', askedAt: start + minute })
      const elsewhere = openQuestion('q3', { sessionKey: 'sms:s2' })

      for (const question of [first, elsewhere, second]) {
        await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, question))
      }

      expect((await store.get(msisdn))?.openQuestions.map((q) => q.id)).toEqual(['q3', 'q2'])
    })

    it('asking drops expired questions', async () => {
      const expired = openQuestion('old', { expiresAt: start + minute })
      const fresh = openQuestion('new', { askedAt: start + 2 * minute })

      await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, expired))
      await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, fresh))

      expect((await store.get(msisdn))?.openQuestions.map((q) => q.id)).toEqual(['new'])
    })

    it('open questions are bounded', async () => {
      for (let index = 1; index <= maxOpenQuestions + 2; index++) {
        const question = openQuestion(`q${index}`, { askedAt: start + index })
        await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, question))
      }

      const ids = (await store.get(msisdn))?.openQuestions.map((q) => q.id)
      expect(ids).toHaveLength(maxOpenQuestions)
      expect(ids?.[0]).toBe('q3')
    })

    it('questions closed by id, session and all', async () => {
      const questions = [
        openQuestion('q1', { sessionKey: 'sms:s1' }),
        openQuestion('q2', { sessionKey: 'sms:s2' }),
        openQuestion('q3', { sessionKey: 'sms:s3' }),
      ]
      for (const question of questions) {
        await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, question))
      }
      const openIds = async () => (await store.get(msisdn))?.openQuestions.map((q) => q.id)

      await store.update(msisdn, (contact) => contactChanges.closeQuestion(contact, 'q1'))
      expect(await openIds()).toEqual(['q2', 'q3'])

      await store.update(msisdn, (contact) =>
        contactChanges.closeSessionQuestions(contact, 'sms:s3'),
      )
      expect(await openIds()).toEqual(['q2'])

      await store.update(msisdn, (contact) => contactChanges.closeAllQuestions(contact))
      expect(await openIds()).toEqual([])
    })

    it('expired questions dropped at time', async () => {
      const short = openQuestion('short', { expiresAt: start + minute })
      const long = openQuestion('long', { sessionKey: 'sms:other' })
      await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, short))
      await store.update(msisdn, (contact) => contactChanges.askQuestion(contact, long))

      await store.update(msisdn, (contact) =>
        contactChanges.dropExpiredQuestions(contact, start + minute),
      )

      expect((await store.get(msisdn))?.openQuestions.map((q) => q.id)).toEqual(['long'])
    })

    it('concurrent updates lose nothing', async () => {
      const updates = Array.from({ length: 8 }, (_, index) =>
        store.update(msisdn, (contact) => contactChanges.recordEvent(contact, smsIn(index))),
      )

      await Promise.all(updates)

      const refs = (await store.get(msisdn))?.history.map((event) => event.ref).sort()
      expect(refs).toEqual(Array.from({ length: 8 }, (_, index) => `id-${index}`).sort())
    })

    it('write behind update is retried', async () => {
      const racing = await subject.withRacingWriter(5)
      let calls = 0

      const saved = await racing.store.update(msisdn, (contact) => {
        calls += 1
        if (calls === 1) racing.writeBehind({ msisdn, language: 'sw', updatedAt: start })
        return contactChanges.setOptOut(contact, {
          optedOut: true,
          reason: 'STOP',
          source: 'sms',
          at: start,
        })
      })

      expect(calls).toBe(2)
      expect(saved.language).toBe('sw')
      expect(saved.optOut?.reason).toBe('STOP')
      expect((await racing.store.get(msisdn))?.language).toBe('sw')
      await racing.close()
    })

    it('conflict on every attempt raises', async () => {
      const racing = await subject.withRacingWriter(3)
      let calls = 0

      const update = racing.store.update(msisdn, (contact) => {
        calls += 1
        racing.writeBehind({ msisdn, language: `l${calls}`, updatedAt: start })
        return contactChanges.setLanguage(contact, 'sw')
      })

      await expect(update).rejects.toBeInstanceOf(ContactConflictError)
      expect(calls).toBe(3)
      await racing.close()
    })

    it('number not in E.164 rejected', async () => {
      const update = store.update('0700000001', (contact) => contact)

      await expect(update).rejects.toThrow(/is not in E\.164 form\. Normalise it/)
    })
  })
}

describeContactStoreContract('memory', async () => {
  let clock = start
  const now = () => clock
  return {
    store: new MemoryContactStore({ now }),
    setNow: (ms) => {
      clock = ms
    },
    withRacingWriter: async (maxAttempts) => {
      // The session store's saveContact writes synchronously, as a racing hop would.
      const sessions = new MemorySessionStore()
      return {
        store: new MemoryContactStore({ sessions, now, maxAttempts }),
        writeBehind: (contact) => {
          void sessions.saveContact(contact as never)
        },
        close: () => sessions.close(),
      }
    },
  }
})

describeContactStoreContract('memory shared with sessions', async () => {
  let clock = start
  const now = () => clock
  const sessions = new MemorySessionStore()
  return {
    store: new MemoryContactStore({ sessions, now }),
    setNow: (ms) => {
      clock = ms
    },
    withRacingWriter: async (maxAttempts) => ({
      store: new MemoryContactStore({ sessions, now, maxAttempts }),
      writeBehind: (contact) => {
        void sessions.saveContact(contact as never)
      },
      close: async () => {},
    }),
  }
})

describeContactStoreContract('redis', async () => {
  let clock = start
  const now = () => clock
  const store = await RedisContactStore.connect({
    url: inject('redisUrl'),
    keyPrefix,
    commandTimeoutMs: 1000,
    logger,
    now,
  })
  return {
    store,
    setNow: (ms) => {
      clock = ms
    },
    withRacingWriter: async (maxAttempts) => {
      // Commands on one connection run in order, so the write lands before the compare-and-set.
      const client = new Redis(inject('redisUrl'), { keyPrefix })
      return {
        store: new RedisContactStore(client, { now, maxAttempts }),
        writeBehind: (contact) => {
          void client.set(contactKey(String(contact['msisdn'])), JSON.stringify(contact))
        },
        close: async () => {
          await client.quit()
        },
      }
    },
  }
})

describe('contacts shared with session store', () => {
  async function memoryPair() {
    const sessions = new MemorySessionStore()
    const contacts = new MemoryContactStore({ sessions })
    return { sessions: sessions as SessionStore, contacts, close: () => sessions.close() }
  }

  async function redisPair() {
    const prefix = `${keyPrefix}shared:${randomUUID()}:`
    const sessions = await RedisSessionStore.connect({
      url: inject('redisUrl'),
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      logger,
    })
    const contacts = await RedisContactStore.connect({
      url: inject('redisUrl'),
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      logger,
    })
    const close = async () => {
      await sessions.close()
      await contacts.close()
    }
    return { sessions: sessions as SessionStore, contacts, close }
  }

  describe.each([
    ['memory', memoryPair],
    ['redis', redisPair],
  ])('%s', (_name, createPair) => {
    it('language saved by USSD is read', async () => {
      const { sessions, contacts, close } = await createPair()
      await sessions.saveContact({ msisdn: alice, language: 'sw', updatedAt: start })

      expect(await contacts.get(alice)).toEqual({
        msisdn: alice,
        language: 'sw',
        updatedAt: start,
        history: [],
        openQuestions: [],
      })
      await close()
    })

    it('contact update read by session store', async () => {
      const { sessions, contacts, close } = await createPair()
      await sessions.saveContact({ msisdn: alice, language: 'sw', updatedAt: start })

      await contacts.update(alice, (contact) =>
        contactChanges.setOptOut(contact, {
          optedOut: true,
          reason: 'STOP',
          source: 'sms',
          at: start,
        }),
      )

      const record = await sessions.loadContact(alice)
      expect(record?.language).toBe('sw')
      expect(record).toHaveProperty('optOut.reason', 'STOP')
      await close()
    })

    it('engine language save keeps opt-out', async () => {
      const { sessions, contacts, close } = await createPair()
      await contacts.update(alice, (contact) =>
        contactChanges.recordEvent(
          contactChanges.setOptOut(contact, {
            optedOut: true,
            reason: 'STOP',
            source: 'sms',
            at: start,
          }),
          smsIn(1, { text: 'STOP' }),
        ),
      )

      // The USSD engine saves a chosen language by spreading the record it loaded.
      const existing = await sessions.loadContact(alice)
      await sessions.saveContact({ ...existing, msisdn: alice, language: 'en', updatedAt: start })

      const contact = await contacts.get(alice)
      expect(contact?.language).toBe('en')
      expect(isOptedOut(contact)).toBe(true)
      expect(contact?.history.map((event) => event.text)).toEqual(['STOP'])
      await close()
    })

    it('numbers kept apart', async () => {
      const { sessions, contacts, close } = await createPair()
      await sessions.saveContact({ msisdn: alice, language: 'sw', updatedAt: start })

      expect(await contacts.get(bob)).toBeNull()
      await close()
    })
  })
})

describe('redis contact key', () => {
  it('key is hash-tagged and has no TTL', async () => {
    const prefix = `${keyPrefix}raw:${randomUUID()}:`
    const store = await RedisContactStore.connect({
      url: inject('redisUrl'),
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      logger,
      now: () => start,
    })

    await store.update(alice, (contact) => contactChanges.setLanguage(contact, 'sw'))

    const raw = await plain.get(`${prefix}contact:{+254700000001}`)
    expect(JSON.parse(raw ?? 'null')).toEqual({
      msisdn: alice,
      language: 'sw',
      updatedAt: start,
      history: [],
      openQuestions: [],
    })
    expect(await plain.pttl(`${prefix}contact:{+254700000001}`)).toBe(-1)
    await store.close()
  })
})
