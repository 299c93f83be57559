import { afterEach, describe, expect, it } from 'vitest'
import type { NewOutboxMessage, OutboxStore } from '../src/messaging/outbox-store.ts'
import { sendFailure, type SentOutcome } from '../src/messaging/sms-sender.ts'

/** Creates a store whose `createdAt`/`updatedAt` come from `now`. */
export type OutboxStoreFactory = (now: () => number) => Promise<OutboxStore>

const start = 1_714_557_600_000
const leaseMs = 30_000

function message(n: number, extra: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    idempotencyKey: `effect:${n}`,
    to: `+2547000${String(n).padStart(5, '0')}`,
    text: `Message ${n}`,
    ...extra,
  }
}

function sent(messageId: string): SentOutcome {
  return { status: 'sent', messageId, cost: 'KES 0.8000' }
}

const serverError = sendFailure('server-error', 'HTTP 503: Service Unavailable')

/**
 * The behaviour every `OutboxStore` must have: idempotent enqueue, atomic leased claims,
 * forward-only status and delivery reports that never move backwards.
 */
export function describeOutboxStoreContract(name: string, create: OutboxStoreFactory): void {
  describe(`outbox store contract: ${name}`, () => {
    let clock = start
    const stores: OutboxStore[] = []

    async function newStore(): Promise<OutboxStore> {
      clock = start
      const store = await create(() => clock)
      stores.push(store)
      return store
    }

    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()))
    })

    it('enqueue stores a queued message', async () => {
      const store = await newStore()

      const { id, created } = await store.enqueue(
        message(1, { from: 'CLINIC', context: { flowId: 'wallet' } }),
      )

      expect(created).toBe(true)
      expect(await store.get(id)).toEqual({
        id,
        idempotencyKey: 'effect:1',
        to: '+254700000001',
        text: 'Message 1',
        from: 'CLINIC',
        context: { flowId: 'wallet' },
        status: 'queued',
        attempts: 0,
        createdAt: start,
        updatedAt: start,
        dueAt: start,
      })
    })

    it('repeated key returns first id', async () => {
      const store = await newStore()

      const first = await store.enqueue(message(1))
      const repeat = await store.enqueue(message(1, { text: 'Different text' }))

      expect(repeat).toEqual({ id: first.id, created: false })
      expect((await store.get(first.id))?.text).toBe('Message 1')
      expect(await store.claim(start, 10, leaseMs)).toHaveLength(1)
    })

    it('concurrent repeats add one message', async () => {
      const store = await newStore()

      const results = await Promise.all(Array.from({ length: 20 }, () => store.enqueue(message(7))))

      expect(new Set(results.map((r) => r.id)).size).toBe(1)
      expect(results.filter((r) => r.created)).toHaveLength(1)
      expect(await store.claim(start, 50, leaseMs)).toHaveLength(1)
    })

    it('claim takes due messages oldest first', async () => {
      const store = await newStore()
      const later = await store.enqueue(message(1, { dueAt: start + 2000 }))
      const earlier = await store.enqueue(message(2, { dueAt: start + 1000 }))
      await store.enqueue(message(3, { dueAt: start + 60_000 }))

      const claimed = await store.claim(start + 5000, 10, leaseMs)

      expect(claimed.map((m) => m.id)).toEqual([earlier.id, later.id])
    })

    it('claim respects the limit', async () => {
      const store = await newStore()
      for (let n = 1; n <= 5; n += 1) await store.enqueue(message(n))

      expect(await store.claim(start, 3, leaseMs)).toHaveLength(3)
      expect(await store.claim(start, 3, leaseMs)).toHaveLength(2)
    })

    it('claim leases and counts an attempt', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))

      const [claimed] = await store.claim(start + 10, 10, leaseMs)

      expect(claimed?.status).toBe('sending')
      expect(claimed?.attempts).toBe(1)
      expect(claimed?.leaseUntil).toBe(start + 10 + leaseMs)
      expect((await store.get(id))?.status).toBe('sending')
    })

    it('leased message is not claimed again', async () => {
      const store = await newStore()
      await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)

      expect(await store.claim(start + leaseMs - 1, 10, leaseMs)).toHaveLength(0)
    })

    it('expired lease makes message due', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)

      const reclaimed = await store.claim(start + leaseMs, 10, leaseMs)

      expect(reclaimed.map((m) => m.id)).toEqual([id])
      expect(reclaimed[0]?.attempts).toBe(2)
    })

    it('parallel claims never share a message', async () => {
      const store = await newStore()
      for (let n = 1; n <= 60; n += 1) await store.enqueue(message(n))

      const batches = await Promise.all(
        Array.from({ length: 6 }, () => store.claim(start, 15, leaseMs)),
      )

      const ids = batches.flat().map((m) => m.id)
      expect(ids).toHaveLength(60)
      expect(new Set(ids).size).toBe(60)
    })

    it('complete records the provider id', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)
      clock = start + 500

      expect(await store.complete(id, sent('ATXid_1'))).toBe(true)

      const stored = await store.get(id)
      expect(stored?.status).toBe('sent')
      expect(stored?.providerMessageId).toBe('ATXid_1')
      expect(stored?.lastOutcome).toEqual(sent('ATXid_1'))
      expect(stored?.leaseUntil).toBeUndefined()
      expect(stored?.updatedAt).toBe(start + 500)
      expect((await store.findByProviderId('ATXid_1'))?.id).toBe(id)
    })

    it('sent message is never claimed', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)
      await store.complete(id, sent('ATXid_1'))

      expect(await store.claim(start + 10 * leaseMs, 10, leaseMs)).toHaveLength(0)
    })

    it('complete needs a claimed message', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))

      expect(await store.complete(id, sent('ATXid_1'))).toBe(false)
      expect((await store.get(id))?.status).toBe('queued')
    })

    it('complete twice changes nothing', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)
      await store.complete(id, sent('ATXid_1'))

      expect(await store.complete(id, sent('ATXid_2'))).toBe(false)
      expect((await store.get(id))?.providerMessageId).toBe('ATXid_1')
      expect(await store.findByProviderId('ATXid_2')).toBeNull()
    })

    it('retry later requeues at due time', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)

      expect(await store.retryLater(id, start + 5000, serverError)).toBe(true)

      const stored = await store.get(id)
      expect(stored?.status).toBe('queued')
      expect(stored?.dueAt).toBe(start + 5000)
      expect(stored?.lastOutcome).toEqual(serverError)
      expect(await store.claim(start + 4999, 10, leaseMs)).toHaveLength(0)
      const [again] = await store.claim(start + 5000, 10, leaseMs)
      expect(again?.id).toBe(id)
      expect(again?.attempts).toBe(2)
    })

    it('fail is final', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)
      const invalid = sendFailure('invalid-recipient', 'recipient status InvalidPhoneNumber (403)')

      expect(await store.fail(id, invalid)).toBe(true)

      expect((await store.get(id))?.status).toBe('failed')
      expect((await store.get(id))?.lastOutcome).toEqual(invalid)
      expect(await store.complete(id, sent('ATXid_9'))).toBe(false)
      expect(await store.retryLater(id, start, serverError)).toBe(false)
      expect(await store.claim(start + 10 * leaseMs, 10, leaseMs)).toHaveLength(0)
    })

    it('fail does not undo a send', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)
      await store.complete(id, sent('ATXid_1'))

      expect(await store.fail(id, serverError)).toBe(false)
      expect((await store.get(id))?.status).toBe('sent')
    })

    it('suppress is final', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))

      expect(await store.suppress(id, 'opted out')).toBe(true)

      const stored = await store.get(id)
      expect(stored?.status).toBe('suppressed')
      expect(stored?.suppressedReason).toBe('opted out')
      expect(await store.claim(start + 10 * leaseMs, 10, leaseMs)).toHaveLength(0)
    })

    it('unknown ids return null or false', async () => {
      const store = await newStore()

      expect(await store.get('no-such-id')).toBeNull()
      expect(await store.findByProviderId('ATXid_none')).toBeNull()
      expect(await store.complete('no-such-id', sent('ATXid_1'))).toBe(false)
      expect(await store.fail('no-such-id', serverError)).toBe(false)
    })

    async function sentMessage(store: OutboxStore): Promise<string> {
      const { id } = await store.enqueue(message(1))
      await store.claim(start, 10, leaseMs)
      await store.complete(id, sent('ATXid_1'))
      return id
    }

    it('delivery reports move forward', async () => {
      const store = await newStore()
      const id = await sentMessage(store)

      expect(await store.recordDelivery(id, { status: 'Sent', rank: 1, reportedAt: start })).toBe(
        true,
      )
      expect(
        await store.recordDelivery(id, { status: 'Buffered', rank: 3, reportedAt: start + 1 }),
      ).toBe(true)

      const stored = await store.get(id)
      expect(stored?.status).toBe('sent')
      expect(stored?.delivery).toEqual({ status: 'Buffered', rank: 3, reportedAt: start + 1 })
    })

    it('older report is not applied', async () => {
      const store = await newStore()
      const id = await sentMessage(store)
      await store.recordDelivery(id, { status: 'Buffered', rank: 3, reportedAt: start })

      expect(
        await store.recordDelivery(id, { status: 'Submitted', rank: 2, reportedAt: start + 1 }),
      ).toBe(false)
      expect((await store.get(id))?.delivery?.status).toBe('Buffered')
    })

    it('final report sets the status', async () => {
      const store = await newStore()
      const id = await sentMessage(store)
      const success = {
        status: 'Success',
        rank: 10,
        finalStatus: 'delivered' as const,
        networkCode: '63902',
        reportedAt: start,
      }

      expect(await store.recordDelivery(id, success)).toBe(true)

      const stored = await store.get(id)
      expect(stored?.status).toBe('delivered')
      expect(stored?.delivery).toEqual({
        status: 'Success',
        rank: 10,
        networkCode: '63902',
        reportedAt: start,
      })
    })

    it('report after final is ignored', async () => {
      const store = await newStore()
      const id = await sentMessage(store)
      await store.recordDelivery(id, {
        status: 'Failed',
        rank: 10,
        finalStatus: 'failed',
        failureReason: 'UserInBlackList',
        reportedAt: start,
      })

      const late = { status: 'Success', rank: 10, finalStatus: 'delivered' as const, reportedAt: 1 }
      expect(await store.recordDelivery(id, late)).toBe(false)
      expect(await store.recordDelivery(id, { status: 'Sent', rank: 1, reportedAt: 2 })).toBe(false)

      const stored = await store.get(id)
      expect(stored?.status).toBe('failed')
      expect(stored?.delivery?.failureReason).toBe('UserInBlackList')
    })

    it('report before send is ignored', async () => {
      const store = await newStore()
      const { id } = await store.enqueue(message(1))

      expect(await store.recordDelivery(id, { status: 'Sent', rank: 1, reportedAt: start })).toBe(
        false,
      )
      expect((await store.get(id))?.status).toBe('queued')
    })

    it('unrecognised reports are kept newest first', async () => {
      const store = await newStore()
      const first = { reason: 'unknown-message' as const, fields: { id: 'ATXid_x' }, receivedAt: 1 }
      const second = {
        reason: 'unknown-status' as const,
        fields: { id: 'ATXid_y', status: 'Queued' },
        receivedAt: 2,
      }

      await store.saveUnrecognizedReport(first)
      await store.saveUnrecognizedReport(second)

      expect(await store.listUnrecognizedReports(10)).toEqual([second, first])
      expect(await store.listUnrecognizedReports(1)).toEqual([second])
    })
  })
}
