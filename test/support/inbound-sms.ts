import { randomUUID } from 'node:crypto'
import { createLogger } from '../../src/logger.ts'
import { AcknowledgingRouter } from '../../src/messaging/routing/acknowledging-router.ts'

type Fetcher = { request(path: string, init: RequestInit): Response | Promise<Response> }

/** Form fields of one Africa's Talking inbound SMS, with a fresh id unless one is given. */
export function smsFields(fields: Record<string, string> = {}): Record<string, string> {
  return {
    id: `in-${randomUUID()}`,
    from: '+254700000001',
    to: '40400',
    text: '',
    date: '2025-03-03T07:00:00Z',
    linkId: 'link-1',
    networkCode: '63902',
    ...fields,
  }
}

/**
 * Posts an inbound SMS callback: `body` as fields (form-encoded) or a raw body, which is sent
 * exactly as written so a test controls every byte of the encoding.
 */
export async function postSms(
  app: Fetcher,
  body: Record<string, string> | string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<{ status: number; text: string }> {
  const encoded = typeof body === 'string' ? body : new URLSearchParams(body).toString()
  const response = await app.request('/africastalking/sms', {
    method: 'POST',
    body: encoded,
    headers: { 'content-type': contentType },
  })
  return { status: response.status, text: await response.text() }
}

/** Sends `text` from `from` and returns the response status. */
export async function reply(app: Fetcher, from: string, text: string, to = '40400') {
  return (await postSms(app, smsFields({ from, text, to }))).status
}

/**
 * Builds the acknowledging router, to pass to a test Switchboard, so replies to free text do not
 * depend on the routing rules a deployment configures.
 */
export function acknowledgingRouter(): AcknowledgingRouter {
  return new AcknowledgingRouter({
    logger: createLogger({ level: 'silent' }),
    defaultLanguage: 'en',
  })
}
