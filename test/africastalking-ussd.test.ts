import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createAfricasTalkingUssdChannel } from '../src/channels/africastalking/ussd-channel.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { defaultHopFields } from './support/ussd-client.ts'
import { describeUssdChannelContract } from './ussd-channel-contract.ts'

describeUssdChannelContract(createAfricasTalkingUssdChannel({ defaultCountryCode: '254' }), {
  valid: {
    sessionId: 'ATUid_contract_1',
    serviceCode: '*384*123#',
    phoneNumber: '+254700000001',
    networkCode: '63902',
    text: '',
  },
  msisdn: '+254700000001',
  names: { sessionId: 'sessionId', phone: 'phoneNumber', serviceCode: 'serviceCode' },
})

const path = '/africastalking/ussd'
const formType = 'application/x-www-form-urlencoded'
const mainMenu = 'CON Welcome\n1. Check balance\n2. Send money\n3. Register'

interface CallbackCase {
  readonly label: string
  readonly method?: string
  readonly contentType?: string
  /** Form fields added to the defaults. An undefined value leaves a default field out. */
  readonly fields?: Record<string, string | undefined>
  /** A raw body sent as is, in place of the form built from the fields. */
  readonly rawBody?: string
  readonly status: number
  /** The whole body, or a pattern it must match. */
  readonly body: string | RegExp
  readonly allow?: string
}

let counter = 0

function formBody(fields: Record<string, string | undefined> = {}): string {
  counter += 1
  const all = { ...defaultHopFields, sessionId: `ATUid_at_${counter}`, text: '', ...fields }
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(all)) {
    if (value !== undefined) form.set(name, value)
  }
  return form.toString()
}

function requestOf(testCase: CallbackCase): RequestInit {
  const method = testCase.method ?? 'POST'
  const headers = { 'content-type': testCase.contentType ?? formType }
  if (method === 'GET' || method === 'HEAD') return { method, headers }
  return { method, headers, body: testCase.rawBody ?? formBody(testCase.fields) }
}

const accepted: CallbackCase[] = [
  {
    label: 'missing text starts at the main menu',
    fields: { text: undefined },
    status: 200,
    body: mainMenu,
  },
  {
    label: 'empty text starts at the main menu',
    fields: { text: '' },
    status: 200,
    body: mainMenu,
  },
  {
    label: 'charset parameter on the content type',
    contentType: `${formType}; charset=UTF-8`,
    status: 200,
    body: mainMenu,
  },
  {
    label: 'upper-case media type',
    contentType: 'Application/X-WWW-Form-Urlencoded',
    status: 200,
    body: mainMenu,
  },
  {
    label: 'missing networkCode',
    fields: { networkCode: undefined },
    status: 200,
    body: mainMenu,
  },
  {
    label: 'unknown service code',
    fields: { serviceCode: '*999*1#' },
    status: 200,
    body: 'END Sorry, *999*1# is not in service. Please check the code and dial again.',
  },
  {
    label: 'first hop with an input',
    fields: { text: '1' },
    status: 200,
    body: /^END Your balance/,
  },
]

const rejected: CallbackCase[] = [
  {
    label: 'missing sessionId',
    fields: { sessionId: undefined },
    status: 400,
    body: /sessionId is missing/,
  },
  {
    label: 'missing phoneNumber',
    fields: { phoneNumber: undefined },
    status: 400,
    body: /phoneNumber is missing/,
  },
  {
    label: 'missing serviceCode',
    fields: { serviceCode: undefined },
    status: 400,
    body: /serviceCode is missing/,
  },
  {
    label: 'blank sessionId',
    fields: { sessionId: '   ' },
    status: 400,
    body: /sessionId is empty/,
  },
  {
    label: 'unparseable phone number',
    fields: { phoneNumber: 'abc' },
    status: 400,
    body: /phoneNumber "abc" is not a phone number/,
  },
  {
    label: 'too short phone number',
    fields: { phoneNumber: '07000' },
    status: 400,
    body: /phoneNumber "07000" is not a phone number/,
  },
  {
    label: 'repeated text field',
    rawBody: `${formBody({ text: undefined })}&text=2&text=2*0700000002`,
    status: 400,
    body: /Field "text" appears more than once/,
  },
  {
    label: 'repeated sessionId field',
    rawBody: `${formBody()}&sessionId=ATUid_other`,
    status: 400,
    body: /Field "sessionId" appears more than once/,
  },
  {
    label: 'JSON body',
    contentType: 'application/json',
    rawBody: JSON.stringify({ ...defaultHopFields, sessionId: 'ATUid_json', text: '' }),
    status: 415,
    body: /Content-Type "application\/json" is not supported/,
  },
  {
    label: 'plain text body',
    contentType: 'text/plain',
    status: 415,
    body: /Content-Type "text\/plain" is not supported/,
  },
  {
    label: 'body over 8 KB',
    fields: { text: '1'.repeat(8 * 1024) },
    status: 413,
    body: /larger than 8192 bytes/,
  },
  {
    label: 'GET',
    method: 'GET',
    status: 405,
    body: /Method GET is not allowed on \/africastalking\/ussd\. Use POST\./,
    allow: 'POST',
  },
  { label: 'PUT', method: 'PUT', status: 405, body: /Method PUT is not allowed/, allow: 'POST' },
]

describe("Africa's Talking USSD callbacks", () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let redis: Redis

  beforeAll(async () => {
    switchboard = await createTestSwitchboard({ store: 'redis' })
    redis = new Redis(inject('redisUrl'))
  })

  afterAll(async () => {
    redis.disconnect()
    await switchboard.close()
  })

  const sessionKeys = () => redis.keys(`${switchboard.keyPrefix}session:*`)

  it.each(accepted)('$label', async (testCase) => {
    const response = await switchboard.app.request(path, requestOf(testCase))
    const body = await response.text()

    expect(response.status).toBe(testCase.status)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain\b/)
    expect(body).toMatch(/^(CON|END) \S/)
    if (typeof testCase.body === 'string') expect(body).toBe(testCase.body)
    else expect(body).toMatch(testCase.body)
  })

  it.each(rejected)('rejects $label', async (testCase) => {
    const before = await sessionKeys()
    const response = await switchboard.app.request(path, requestOf(testCase))
    const body = await response.text()

    expect(response.status).toBe(testCase.status)
    expect(body).toMatch(testCase.body)
    if (testCase.allow !== undefined) expect(response.headers.get('allow')).toBe(testCase.allow)
    expect(await sessionKeys()).toEqual(before)
  })

  it('stores no session under an undefined id', async () => {
    await switchboard.app.request(path, requestOf(rejected[0]!))

    const keys = await redis.keys(`${switchboard.keyPrefix}*`)
    expect(keys.filter((key) => key.includes('undefined'))).toEqual([])
    expect(await switchboard.store.load('africastalking:undefined')).toBeNull()
    expect(await switchboard.store.load('africastalking:')).toBeNull()
  })

  it('stores a session for an accepted callback', async () => {
    const before = (await sessionKeys()).length
    await switchboard.app.request(path, requestOf({ label: 'first hop', status: 200, body: '' }))

    expect((await sessionKeys()).length).toBe(before + 1)
  })

  it('keeps the reply format through a payment', async () => {
    const sessionId = 'ATUid_at_walk'
    const texts = ['', '2', '2*0700000002', '2*0700000002*500', '2*0700000002*500*1']
    for (const text of texts) {
      const response = await switchboard.app.request(path, {
        method: 'POST',
        headers: { 'content-type': formType },
        body: formBody({ sessionId, text }),
      })
      const body = await response.text()

      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/plain\b/)
      expect(body).toMatch(/^(CON|END) \S/)
    }
  })
})
