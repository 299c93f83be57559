import { Hono, type Context } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'
import { ussdClient, walk } from './support/ussd-client.ts'

const path = '/africastalking/ussd'
const formType = 'application/x-www-form-urlencoded'
const replies = [
  'CON Welcome\n1. Check balance\n2. Send money\n3. Register',
  'CON Enter recipient phone\n0. Back',
  'CON Enter amount\n0. Back',
]

// Ways a logging, allow-list or signature middleware reads the body before the route does.
const readers: [string, (c: Context) => Promise<unknown>][] = [
  ['text', (c) => c.req.text()],
  ['parseBody', (c) => c.req.parseBody()],
  ['arrayBuffer', (c) => c.req.arrayBuffer()],
  ['a clone of the raw request', (c) => c.req.raw.clone().text()],
]

const contentTypes = [formType, `${formType}; charset=UTF-8`]

describe('request body read before the route', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let counter = 0
  const nextSessionId = () => {
    counter += 1
    return `ATUid_body_${counter}`
  }

  beforeAll(async () => {
    switchboard = await createTestSwitchboard()
  })

  afterAll(async () => {
    await switchboard.close()
  })

  /** Mounts the Switchboard app behind a middleware that reads the body first. */
  function wrap(read: (c: Context) => Promise<unknown>, seen: unknown[] = []) {
    const wrapper = new Hono()
    wrapper.use('*', async (c, next) => {
      seen.push(await read(c))
      await next()
    })
    wrapper.route('/', switchboard.app)
    return wrapper
  }

  /** Sends a hop with an explicit content type, in process. */
  function hopWith(app: Hono, contentType: string) {
    return ussdClient(async (requestPath, init) =>
      app.request(requestPath, {
        ...init,
        headers: { 'content-type': contentType },
      }),
    )
  }

  const cases = readers.flatMap(([label, read]) =>
    contentTypes.map((contentType) => ({ label, read, contentType })),
  )

  it.each(cases)('walks after $label with $contentType', async ({ read, contentType }) => {
    const hop = hopWith(wrap(read), contentType)

    const bodies = await walk(hop, nextSessionId(), ['', '2', '2*0700000002'])

    expect(bodies).toEqual(replies)
  })

  it('gives the middleware the whole body', async () => {
    const seen: unknown[] = []
    const hop = ussdClient((requestPath, init) =>
      wrap((c) => c.req.text(), seen).request(requestPath, init),
    )
    const sessionId = nextSessionId()

    await hop({ sessionId, text: '2*0700000002' })

    const fields = new URLSearchParams(String(seen[0]))
    expect(fields.get('sessionId')).toBe(sessionId)
    expect(fields.get('phoneNumber')).toBe('+254700000001')
    expect(fields.get('text')).toBe('2*0700000002')
  })

  it('logs the body with the phone masked and text hidden', async () => {
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, ['', '2', '2*0700000002'])

    const lines = switchboard.logs.lines.filter(
      (line) =>
        line['msg'] === 'request' &&
        (line['body'] as Record<string, string> | undefined)?.['sessionId'] === sessionId,
    )
    expect(lines).toHaveLength(3)
    const body = lines[2]?.['body'] as Record<string, string>
    expect(body['phoneNumber']).toBe('+254*****001')
    expect(body['serviceCode']).toBe('*384*123#')
    expect(body['networkCode']).toBe('63902')
    expect(body['text']).not.toContain('0700000002')
    const raw = switchboard.logs.raw.filter((line) => line.includes(sessionId))
    for (const line of raw) {
      expect(line).not.toContain('+254700000001')
      expect(line).not.toContain('2*0700000002')
    }
  })

  it('rejects an oversized body read earlier', async () => {
    const app = wrap((c) => c.req.text())
    const response = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': formType },
      body: `sessionId=${nextSessionId()}&text=${'1'.repeat(9000)}`,
    })

    expect(response.status).toBe(413)
    expect(await response.text()).toMatch(/larger than 8192 bytes/)
  })

  it('reads a chunked body after a middleware read', async () => {
    const server = await listen(wrap((c) => c.req.text()).fetch)
    const form = new URLSearchParams({
      sessionId: nextSessionId(),
      serviceCode: '*384*123#',
      phoneNumber: '+254700000001',
      text: '2',
    })
    try {
      // A stream body has no Content-Length, so it is sent with Transfer-Encoding: chunked.
      const body = new Blob([form.toString()]).stream()
      const response = await fetch(server.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': formType },
        body,
        duplex: 'half',
      } as RequestInit)

      expect(response.status).toBe(200)
      expect(await response.text()).toBe(replies[1])
    } finally {
      await server.close()
    }
  })

  it('walks over a socket after a middleware read', async () => {
    const server = await listen(wrap((c) => c.req.text()).fetch)
    try {
      const bodies = await walk(server.hop, nextSessionId(), ['', '2', '2*0700000002'])

      expect(bodies).toEqual(replies)
    } finally {
      await server.close()
    }
  })
})
