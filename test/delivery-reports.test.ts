import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { createSmsRoutes } from '../src/channels/africastalking/sms-routes.ts'
import { createLogger } from '../src/logger.ts'
import { DeliveryReportHandler } from '../src/messaging/delivery-reports.ts'
import { MemoryOutboxStore } from '../src/messaging/memory-outbox-store.ts'
import {
  MemoryOptOutStore,
  suppressOptedOut,
  type OptOutRecord,
  type OptOutStore,
} from '../src/messaging/opt-outs.ts'
import type { OutboxMessage, OutboxStore } from '../src/messaging/outbox-store.ts'
import { RedisOptOutStore } from '../src/messaging/redis-opt-out-store.ts'
import { RedisOutboxStore } from '../src/messaging/redis-outbox-store.ts'
import { freePort } from './support/start-redis.ts'

const silent = createLogger({ level: 'silent' })
const filePrefix = `test:delivery-reports:${randomUUID()}:`
const receivedAt = 1_714_557_600_000
let plain: Redis

beforeAll(() => {
  plain = new Redis(inject('redisUrl'))
})

afterAll(async () => {
  const keys = await plain.keys(`${filePrefix}*`)
  if (keys.length > 0) await plain.del(...keys)
  await plain.quit()
})

type Backend = 'memory' | 'redis'

async function createStores(
  backend: Backend,
): Promise<{ outbox: OutboxStore; optOuts: OptOutStore }> {
  if (backend === 'memory')
    return { outbox: new MemoryOutboxStore(), optOuts: new MemoryOptOutStore() }

  const keyPrefix = `${filePrefix}${randomUUID()}:`
  const redis = { url: inject('redisUrl'), keyPrefix, commandTimeoutMs: 2000, logger: silent }
  const [outbox, optOuts] = await Promise.all([
    RedisOutboxStore.connect(redis),
    RedisOptOutStore.connect(redis),
  ])
  return { outbox, optOuts }
}

async function createOptOutStore(backend: Backend): Promise<OptOutStore> {
  if (backend === 'memory') return new MemoryOptOutStore()
  const keyPrefix = `${filePrefix}${randomUUID()}:`
  return RedisOptOutStore.connect({
    url: inject('redisUrl'),
    keyPrefix,
    commandTimeoutMs: 2000,
    logger: silent,
  })
}

/** Builds the SMS routes over fresh stores, with one message already sent as `ATXid_1`. */
async function createHarness(backend: Backend) {
  const { outbox, optOuts } = await createStores(backend)
  const deliveryReports = new DeliveryReportHandler({
    outbox,
    optOuts,
    logger: silent,
    defaultCountryCode: '254',
    now: () => receivedAt,
  })
  const app = createSmsRoutes({
    deliveryReports,
    optOuts,
    logger: silent,
    defaultCountryCode: '254',
    now: () => receivedAt,
  })

  const { id } = await outbox.enqueue({
    idempotencyKey: 'effect:1',
    to: '+254700000001',
    text: 'Your balance is KES 1,200',
    from: 'WALLET',
  })
  await outbox.claim(Date.now(), 1, 30_000)
  await outbox.complete(id, { status: 'sent', messageId: 'ATXid_1' })

  const post = (path: string, fields: Record<string, string>) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
  const report = (fields: Record<string, string>) =>
    post('/africastalking/sms/delivery', {
      id: 'ATXid_1',
      phoneNumber: '+254700000001',
      networkCode: '63902',
      ...fields,
    })
  const message = async () => (await outbox.get(id)) as OutboxMessage

  return {
    app,
    outbox,
    optOuts,
    post,
    report,
    message,
    close: () => Promise.all([outbox.close(), optOuts.close()]),
  }
}

type Harness = Awaited<ReturnType<typeof createHarness>>

type ReportFields = { status: string; failureReason?: string }
type Case = {
  label: string
  reports: ReportFields[]
  status: OutboxMessage['status']
  delivery: string | undefined
  failureReason?: string
}

const cases: Case[] = [
  {
    label: 'success delivers',
    reports: [{ status: 'Success' }],
    status: 'delivered',
    delivery: 'Success',
  },
  {
    label: 'in-flight then success',
    reports: [
      { status: 'Sent' },
      { status: 'Submitted' },
      { status: 'Buffered' },
      { status: 'Success' },
    ],
    status: 'delivered',
    delivery: 'Success',
  },
  {
    label: 'buffered stays sent',
    reports: [{ status: 'Buffered' }],
    status: 'sent',
    delivery: 'Buffered',
  },
  {
    label: 'late Sent after success',
    reports: [{ status: 'Success' }, { status: 'Sent' }],
    status: 'delivered',
    delivery: 'Success',
  },
  {
    label: 'out-of-order in-flight reports',
    reports: [{ status: 'Buffered' }, { status: 'Submitted' }, { status: 'Sent' }],
    status: 'sent',
    delivery: 'Buffered',
  },
  {
    label: 'repeated success',
    reports: [{ status: 'Success' }, { status: 'Success' }],
    status: 'delivered',
    delivery: 'Success',
  },
  {
    label: 'failed after success',
    reports: [{ status: 'Success' }, { status: 'Failed', failureReason: 'DeliveryFailure' }],
    status: 'delivered',
    delivery: 'Success',
  },
  {
    label: 'rejected with reason',
    reports: [{ status: 'Rejected', failureReason: 'InsufficientCredit' }],
    status: 'failed',
    delivery: 'Rejected',
    failureReason: 'InsufficientCredit',
  },
  {
    label: 'expired is final',
    reports: [{ status: 'Buffered' }, { status: 'Expired' }, { status: 'Success' }],
    status: 'failed',
    delivery: 'Expired',
  },
  {
    label: 'success after failed',
    reports: [{ status: 'Failed', failureReason: 'UserIsInactive' }, { status: 'Success' }],
    status: 'failed',
    delivery: 'Failed',
    failureReason: 'UserIsInactive',
  },
  {
    label: 'unknown status changes nothing',
    reports: [{ status: 'Queued' }],
    status: 'sent',
    delivery: undefined,
  },
  {
    label: 'unknown status after buffered',
    reports: [{ status: 'Buffered' }, { status: 'Delivering' }],
    status: 'sent',
    delivery: 'Buffered',
  },
  {
    label: 'lower-case status',
    reports: [{ status: 'success' }],
    status: 'delivered',
    delivery: 'success',
  },
]

describe.each<Backend>(['memory', 'redis'])('delivery reports: %s', (backend) => {
  let harness: Harness

  afterEach(async () => {
    await harness?.close()
  })

  it.each(cases)('$label', async ({ reports, status, delivery, failureReason }) => {
    harness = await createHarness(backend)

    for (const fields of reports) {
      const response = await harness.report(fields)
      expect(response.status).toBe(200)
    }

    const message = await harness.message()
    expect(message.status).toBe(status)
    expect(message.delivery?.status).toBe(delivery)
    expect(message.delivery?.failureReason).toBe(failureReason)
  })

  it('delivery keeps network code', async () => {
    harness = await createHarness(backend)

    await harness.report({ status: 'Success' })

    expect((await harness.message()).delivery).toEqual({
      status: 'Success',
      rank: 10,
      networkCode: '63902',
      reportedAt: receivedAt,
    })
  })

  it('unknown status is kept', async () => {
    harness = await createHarness(backend)

    await harness.report({ status: 'Queued' })

    expect(await harness.outbox.listUnrecognizedReports(10)).toEqual([
      {
        reason: 'unknown-status',
        fields: {
          id: 'ATXid_1',
          phoneNumber: '+254*****001',
          networkCode: '63902',
          status: 'Queued',
        },
        receivedAt,
      },
    ])
  })

  it('unknown message id is kept', async () => {
    harness = await createHarness(backend)

    const response = await harness.post('/africastalking/sms/delivery', {
      id: 'ATXid_unknown',
      status: 'Success',
    })

    expect(response.status).toBe(200)
    const [kept] = await harness.outbox.listUnrecognizedReports(10)
    expect(kept?.reason).toBe('unknown-message')
    expect(kept?.fields).toEqual({ id: 'ATXid_unknown', status: 'Success' })
  })

  it('blacklist records an opt-out', async () => {
    harness = await createHarness(backend)

    await harness.report({ status: 'Failed', failureReason: 'UserInBlackList' })

    expect((await harness.message()).status).toBe('failed')
    expect(await harness.optOuts.get('+254700000001')).toEqual({
      msisdn: '+254700000001',
      reason: 'UserInBlackList',
      source: 'delivery-report',
      providerMessageId: 'ATXid_1',
      senderId: 'WALLET',
      recordedAt: receivedAt,
    })
  })

  it('blacklist for unknown message records', async () => {
    harness = await createHarness(backend)

    await harness.post('/africastalking/sms/delivery', {
      id: 'ATXid_other',
      status: 'Rejected',
      failureReason: 'UserInBlackList',
      phoneNumber: '0722000002',
    })

    expect((await harness.optOuts.get('+254722000002'))?.reason).toBe('UserInBlackList')
  })

  it('blacklisted number is suppressed', async () => {
    harness = await createHarness(backend)
    await harness.report({ status: 'Failed', failureReason: 'UserInBlackList' })
    const isSuppressed = suppressOptedOut(harness.optOuts)

    expect(await isSuppressed('+254700000001', await harness.message())).toBe(
      'opted out: UserInBlackList (delivery-report)',
    )
    expect(await isSuppressed('+254700000009', await harness.message())).toBe(false)
  })

  it('bulk opt-out is recorded', async () => {
    harness = await createHarness(backend)

    const response = await harness.post('/africastalking/sms/optout', {
      senderId: 'WALLET',
      phoneNumber: '+254711000003',
    })

    expect(response.status).toBe(200)
    expect(await harness.optOuts.get('+254711000003')).toEqual({
      msisdn: '+254711000003',
      reason: 'BulkSmsOptOut',
      source: 'opt-out-notification',
      senderId: 'WALLET',
      recordedAt: receivedAt,
    })
  })

  it('repeated opt-out keeps first', async () => {
    harness = await createHarness(backend)
    await harness.post('/africastalking/sms/optout', {
      senderId: 'FIRST',
      phoneNumber: '0711000003',
    })

    const response = await harness.post('/africastalking/sms/optout', {
      senderId: 'SECOND',
      phoneNumber: '+254711000003',
    })

    expect(response.status).toBe(200)
    expect((await harness.optOuts.get('+254711000003'))?.senderId).toBe('FIRST')
  })
})

describe('sms routes', () => {
  let harness: Harness

  beforeAll(async () => {
    harness = await createHarness('memory')
  })

  afterAll(async () => {
    await harness.close()
  })

  it.each<{
    label: string
    path: string
    fields: Record<string, string>
    status: number
    body: string
  }>([
    {
      label: 'report without id',
      path: '/africastalking/sms/delivery',
      fields: { status: 'Success' },
      status: 400,
      body: 'Field "id" is missing',
    },
    {
      label: 'report with blank id',
      path: '/africastalking/sms/delivery',
      fields: { id: ' ', status: 'Success' },
      status: 400,
      body: 'Field "id" is missing',
    },
    {
      label: 'report without status',
      path: '/africastalking/sms/delivery',
      fields: { id: 'ATXid_1' },
      status: 200,
      body: 'OK',
    },
    {
      label: 'opt-out without number',
      path: '/africastalking/sms/optout',
      fields: { senderId: 'WALLET' },
      status: 400,
      body: 'Field "phoneNumber" is missing',
    },
    {
      label: 'opt-out with invalid number',
      path: '/africastalking/sms/optout',
      fields: { phoneNumber: '12' },
      status: 200,
      body: 'OK',
    },
  ])('$label', async ({ path, fields, status, body }) => {
    const response = await harness.post(path, fields)

    expect(response.status).toBe(status)
    expect(await response.text()).toContain(body)
  })

  it('JSON body is unsupported', async () => {
    const response = await harness.app.request('/africastalking/sms/delivery', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ATXid_1', status: 'Success' }),
    })

    expect(response.status).toBe(415)
  })

  it('oversized body is rejected', async () => {
    const response = await harness.post('/africastalking/sms/delivery', {
      id: 'ATXid_1',
      status: 'x'.repeat(9000),
    })

    expect(response.status).toBe(413)
  })

  it('store outage asks for a resend', async () => {
    const port = await freePort()
    const redis = {
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: filePrefix,
      commandTimeoutMs: 200,
      logger: silent,
    }
    const [outbox, optOuts] = await Promise.all([
      RedisOutboxStore.connect(redis),
      RedisOptOutStore.connect(redis),
    ])
    const deliveryReports = new DeliveryReportHandler({
      outbox,
      optOuts,
      logger: silent,
      defaultCountryCode: '254',
    })
    const app = createSmsRoutes({
      deliveryReports,
      optOuts,
      logger: silent,
      defaultCountryCode: '254',
    })
    const post = (path: string, fields: Record<string, string>) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      })

    const report = await post('/africastalking/sms/delivery', { id: 'ATXid_1', status: 'Success' })
    const optOut = await post('/africastalking/sms/optout', { phoneNumber: '+254711000003' })

    expect(report.status).toBe(503)
    expect(optOut.status).toBe(503)
    await Promise.all([outbox.close(), optOuts.close()])
  })
})

describe.each<Backend>(['memory', 'redis'])('opt-out store: %s', (backend) => {
  let optOuts: OptOutStore

  afterEach(async () => {
    await optOuts.close()
  })

  const record: OptOutRecord = {
    msisdn: '+254700000001',
    reason: 'UserInBlackList',
    source: 'delivery-report',
    recordedAt: receivedAt,
  }

  it('record stores a new number', async () => {
    optOuts = await createOptOutStore(backend)

    expect(await optOuts.record(record)).toBe(true)
    expect(await optOuts.get('+254700000001')).toEqual(record)
  })

  it('second record keeps the first', async () => {
    optOuts = await createOptOutStore(backend)
    await optOuts.record(record)

    expect(await optOuts.record({ ...record, reason: 'BulkSmsOptOut', recordedAt: 1 })).toBe(false)
    expect(await optOuts.get('+254700000001')).toEqual(record)
  })

  it('remove opts the number back in', async () => {
    optOuts = await createOptOutStore(backend)
    await optOuts.record(record)

    expect(await optOuts.remove('+254700000001')).toBe(true)
    expect(await optOuts.get('+254700000001')).toBeNull()
    expect(await optOuts.remove('+254700000001')).toBe(false)
  })

  it('unknown number has no record', async () => {
    optOuts = await createOptOutStore(backend)

    expect(await optOuts.get('+254799999999')).toBeNull()
  })
})
