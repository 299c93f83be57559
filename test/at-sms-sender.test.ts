import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { atCommonUrls, createAtClient } from '../src/messaging/africastalking/at-sdk.ts'
import {
  AtSmsSender,
  atSmsSenderOptionsFrom,
  productionApiUrl,
  resolveApiUrl,
  sandboxApiUrl,
  sdkUrlsFor,
} from '../src/messaging/africastalking/at-sms-sender.ts'
import { loadSmsConfig } from '../src/messaging/sms-config.ts'
import type { SendOutcome } from '../src/messaging/sms-sender.ts'
import {
  startFakeAfricasTalking,
  type FakeAfricasTalking,
  type FakeBehaviour,
} from './support/fake-africastalking.ts'

/** Reads the `*_URL` values of the SDK's `lib/common.js`, without its functions. */
function sdkUrls(): Record<string, string> {
  return Object.fromEntries(Object.entries(atCommonUrls).filter(([name]) => name.endsWith('_URL')))
}

// Read before any sender or sandbox client rewrites them.
const sdkProductionUrls = sdkUrls()

let fake: FakeAfricasTalking
let sender: AtSmsSender

beforeAll(async () => {
  fake = await startFakeAfricasTalking()
  sender = new AtSmsSender({
    username: fake.username,
    apiKey: fake.apiKey,
    apiUrl: fake.url,
    timeoutMs: 300,
  })
})

afterEach(() => {
  fake.requests.length = 0
  fake.setDefault({ kind: 'success' })
})

afterAll(async () => {
  await fake.close()
})

describe('africastalking sms sender', () => {
  it('success returns the message id', async () => {
    const outcome = await sender.send({ to: '+254700000001', text: 'Your code is 1234' })

    expect(outcome).toEqual({ status: 'sent', messageId: 'ATXid_1', cost: 'KES 0.8000' })
  })

  it('posts the fields the API expects', async () => {
    await sender.send({ to: '+254700000001', text: 'Habari', from: 'SWITCHBRD' })

    expect(fake.requests).toHaveLength(1)
    const [request] = fake.requests
    expect(request?.path).toBe('/version1/messaging')
    expect(request?.headers.apikey).toBe(fake.apiKey)
    expect(request?.headers.accept).toBe('application/json')
    expect(request?.form).toEqual({
      username: fake.username,
      to: '+254700000001',
      message: 'Habari',
      from: 'SWITCHBRD',
      bulkSMSMode: '1',
    })
  })

  it('sender id fills in from', async () => {
    const withSenderId = new AtSmsSender({
      username: fake.username,
      apiKey: fake.apiKey,
      apiUrl: fake.url,
      senderId: 'CLINIC',
      timeoutMs: 300,
    })

    await withSenderId.send({ to: '+254700000001', text: 'Hello' })

    expect(fake.requests[0]?.form.from).toBe('CLINIC')
  })

  type Case = {
    label: string
    behaviour: FakeBehaviour
    expected: Partial<Extract<SendOutcome, { status: 'failed' }>>
  }
  const failures: Case[] = [
    {
      label: 'invalid phone number',
      behaviour: { kind: 'recipient-failure', status: 'InvalidPhoneNumber', statusCode: 403 },
      expected: { code: 'invalid-recipient', retryable: false, messageId: 'ATXid_' },
    },
    {
      label: 'user in blacklist',
      behaviour: { kind: 'recipient-failure', status: 'UserInBlacklist', statusCode: 406 },
      expected: { code: 'blocked', retryable: false },
    },
    {
      label: 'insufficient balance',
      behaviour: { kind: 'recipient-failure', status: 'InsufficientBalance', statusCode: 405 },
      expected: { code: 'rejected', retryable: false },
    },
    {
      label: 'gateway error for recipient',
      behaviour: { kind: 'recipient-failure', status: 'GatewayError', statusCode: 501 },
      expected: { code: 'server-error', retryable: true },
    },
    {
      label: 'unknown recipient status',
      behaviour: { kind: 'recipient-failure', status: 'SomethingNew', statusCode: 499 },
      expected: { code: 'rejected', retryable: false },
    },
    {
      label: 'HTTP 400',
      behaviour: { kind: 'http-error', status: 400 },
      expected: { code: 'rejected', retryable: false, reason: 'HTTP 400: Bad request' },
    },
    {
      label: 'HTTP 401',
      behaviour: { kind: 'http-error', status: 401 },
      expected: { code: 'unauthorized', retryable: false },
    },
    {
      label: 'HTTP 429 with Retry-After',
      behaviour: { kind: 'http-error', status: 429, headers: { 'retry-after': '7' } },
      expected: { code: 'throttled', retryable: true, retryAfterMs: 7000 },
    },
    {
      label: 'HTTP 500',
      behaviour: { kind: 'http-error', status: 500 },
      expected: { code: 'server-error', retryable: true },
    },
    {
      label: 'HTTP 503',
      behaviour: { kind: 'http-error', status: 503 },
      expected: { code: 'server-error', retryable: true },
    },
    {
      label: 'slow answer',
      behaviour: { kind: 'slow', delayMs: 2000 },
      expected: { code: 'timeout', retryable: true, reason: 'no answer within 300 ms' },
    },
  ]

  it.each(failures)('$label', async ({ behaviour, expected }) => {
    fake.script(behaviour)

    const outcome = await sender.send({ to: '+254700000001', text: 'Hello' })

    expect(outcome.status).toBe('failed')
    if (outcome.status !== 'failed') return
    expect(outcome.code).toBe(expected.code)
    expect(outcome.retryable).toBe(expected.retryable)
    if (expected.reason !== undefined) expect(outcome.reason).toBe(expected.reason)
    if (expected.retryAfterMs !== undefined)
      expect(outcome.retryAfterMs).toBe(expected.retryAfterMs)
    if (expected.messageId !== undefined) expect(outcome.messageId).toMatch(/^ATXid_\d+$/)
  })

  it('timeout aborts within the bound', async () => {
    fake.script({ kind: 'slow', delayMs: 5000 })
    const started = performance.now()

    const outcome = await sender.send({ to: '+254700000001', text: 'Hello' })

    expect(outcome).toMatchObject({ status: 'failed', code: 'timeout' })
    // 300 ms timeout; the upper bound leaves room for a slow machine.
    expect(performance.now() - started).toBeLessThan(3000)
  })

  it('invalid number fails before sending', async () => {
    const outcome = await sender.send({ to: '+2547', text: 'Hello' })

    expect(outcome).toMatchObject({ status: 'failed', code: 'invalid-recipient', retryable: false })
    expect(fake.requests).toHaveLength(0)
  })

  it('refused connection is a network failure', async () => {
    const closed = await startFakeAfricasTalking()
    await closed.close()
    const unreachable = new AtSmsSender({
      username: 'switchboard',
      apiKey: 'key',
      apiUrl: closed.url,
      timeoutMs: 1000,
    })

    const outcome = await unreachable.send({ to: '+254700000001', text: 'Hello' })

    expect(outcome).toMatchObject({ status: 'failed', code: 'network', retryable: true })
  })

  it('wrong API key is unauthorized', async () => {
    const wrongKey = new AtSmsSender({
      username: fake.username,
      apiKey: 'not-the-key',
      apiUrl: fake.url,
      timeoutMs: 1000,
    })

    const outcome = await wrongKey.send({ to: '+254700000001', text: 'Hello' })

    expect(outcome).toMatchObject({ status: 'failed', code: 'unauthorized' })
    if (outcome.status === 'failed') expect(outcome.reason).not.toContain('not-the-key')
  })

  it('API key stays out of JSON', () => {
    expect(JSON.stringify(sender)).not.toContain(fake.apiKey)
    expect(JSON.stringify({ sender })).not.toContain(fake.apiKey)
  })

  it('sandbox client does not redirect sends', async () => {
    createAtClient({ username: 'sandbox', apiKey: 'sandbox-key' })
    expect(atCommonUrls.SMS_URL).toBe(`${sandboxApiUrl}/version1/messaging`)

    const outcome = await sender.send({ to: '+254700000001', text: 'Hello' })

    expect(outcome.status).toBe('sent')
    expect(fake.requests).toHaveLength(1)
  })
})

describe('africastalking api url', () => {
  it('production urls match the SDK', () => {
    expect(sdkUrlsFor(productionApiUrl)).toEqual(sdkProductionUrls)
  })

  it('sandbox urls match the SDK', () => {
    createAtClient({ username: 'sandbox', apiKey: 'sandbox-key' })

    expect(sdkUrlsFor(sandboxApiUrl)).toEqual(sdkUrls())
  })

  it('local url covers every SDK url', () => {
    const urls = Object.values(sdkUrlsFor('http://127.0.0.1:4010'))

    expect(urls.every((url) => url.startsWith('http://127.0.0.1:4010'))).toBe(true)
  })

  it.each([
    {
      label: 'unset, live account',
      username: 'acme',
      apiUrl: undefined,
      expected: productionApiUrl,
    },
    { label: 'unset, sandbox', username: 'sandbox', apiUrl: undefined, expected: sandboxApiUrl },
    {
      label: 'set, trailing slash',
      username: 'acme',
      apiUrl: 'http://127.0.0.1:9/',
      expected: 'http://127.0.0.1:9',
    },
  ])('$label', ({ username, apiUrl, expected }) => {
    expect(resolveApiUrl({ username, apiUrl })).toBe(expected)
  })
})

describe('sms config', () => {
  it('defaults apply', () => {
    const config = loadSmsConfig({})

    expect(config.SMS_TIMEOUT_MS).toBe(10_000)
    expect(config.SMS_MAX_ATTEMPTS).toBe(5)
    expect(config.SMS_RATE_PER_SECOND).toBe(10)
    expect(config.AT_USERNAME).toBeUndefined()
  })

  it('sender options from environment', () => {
    const config = loadSmsConfig({
      AT_USERNAME: 'acme',
      AT_API_KEY: 'key',
      AT_SENDER_ID: 'CLINIC',
      AT_API_URL: 'http://127.0.0.1:4010',
      SMS_TIMEOUT_MS: '2500',
    })

    expect(atSmsSenderOptionsFrom(config)).toEqual({
      username: 'acme',
      apiKey: 'key',
      senderId: 'CLINIC',
      apiUrl: 'http://127.0.0.1:4010',
      timeoutMs: 2500,
    })
  })

  it('no account means no sender', () => {
    expect(atSmsSenderOptionsFrom(loadSmsConfig({}))).toBeUndefined()
  })

  it('username without key is invalid', () => {
    expect(() => loadSmsConfig({ AT_USERNAME: 'acme' })).toThrow(
      /AT_API_KEY: set AT_USERNAME and AT_API_KEY together/,
    )
  })

  it('error never quotes the key', () => {
    const key = 'atsk_secret_value'
    expect(() => loadSmsConfig({ AT_API_KEY: key, SMS_TIMEOUT_MS: 'soon' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(key) }),
    )
  })
})
