import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Response the fake gives to one send request. */
export type FakeBehaviour =
  /** 201 with status `Success` for every recipient. */
  | { readonly kind: 'success' }
  /** 201 with this recipient status, e.g. `InvalidPhoneNumber` (403) or `UserInBlacklist` (406). */
  | { readonly kind: 'recipient-failure'; readonly status: string; readonly statusCode: number }
  /** This HTTP status with a plain-text body, and optional headers such as `Retry-After`. */
  | {
      readonly kind: 'http-error'
      readonly status: number
      readonly body?: string
      readonly headers?: Record<string, string>
    }
  /** Waits `delayMs` (longer than the client timeout in tests), then responds as `then`. */
  | { readonly kind: 'slow'; readonly delayMs: number; readonly then?: FakeBehaviour }

/** One request as the fake received it. */
export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string | string[] | undefined>
  readonly form: Record<string, string>
  readonly receivedAt: number
  /** The behaviour used for the response; null when the request failed a check. */
  readonly behaviour: FakeBehaviour | null
}

export interface FakeAfricasTalkingOptions {
  readonly username?: string
  readonly apiKey?: string
  /** Cost text per recipient. */
  readonly cost?: string
}

export interface FakeAfricasTalking {
  /** Base URL to use as `AT_API_URL`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string
  readonly username: string
  readonly apiKey: string
  /** Every request received, in order, including rejected ones. */
  readonly requests: ReceivedRequest[]
  /** Queues behaviours for the next send requests, one each, before the default applies. */
  script(...behaviours: FakeBehaviour[]): void
  /** Sets how requests are answered once the script is used up. */
  setDefault(behaviour: FakeBehaviour | ((form: Record<string, string>) => FakeBehaviour)): void
  /** Send requests that passed the checks: the ones that count as an attempt to send. */
  sends(): ReceivedRequest[]
  close(): Promise<void>
}

/**
 * Starts a fake of the Africa's Talking bulk SMS API on a free 127.0.0.1 port. It checks the
 * `apiKey` header and the form fields as the real API does, answers in its JSON format with
 * `ATXid_<n>` message ids, and can be scripted to fail per request.
 */
export async function startFakeAfricasTalking(
  options: FakeAfricasTalkingOptions = {},
): Promise<FakeAfricasTalking> {
  const username = options.username ?? 'switchboard'
  const apiKey = options.apiKey ?? 'atsk_test_0123456789abcdef'
  const cost = options.cost ?? 'KES 0.8000'
  const requests: ReceivedRequest[] = []
  const queue: FakeBehaviour[] = []
  let fallback: (form: Record<string, string>) => FakeBehaviour = () => ({ kind: 'success' })
  let nextMessageId = 1
  const timers = new Set<NodeJS.Timeout>()

  const server = createServer(async (request, response) => {
    const form = await readForm(request)
    const record = (behaviour: FakeBehaviour | null) =>
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        form,
        receivedAt: Date.now(),
        behaviour,
      })

    const problem = checkRequest(request, form, { username, apiKey })
    if (problem !== null) {
      record(null)
      reply(response, problem.status, problem.body)
      return
    }

    const behaviour = queue.shift() ?? fallback(form)
    record(behaviour)
    answer(response, behaviour, form)
  })

  function answer(
    response: ServerResponse,
    behaviour: FakeBehaviour,
    form: Record<string, string>,
  ) {
    if (behaviour.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (!response.destroyed) answer(response, behaviour.then ?? { kind: 'success' }, form)
      }, behaviour.delayMs)
      timers.add(timer)
      return
    }
    if (behaviour.kind === 'http-error') {
      reply(
        response,
        behaviour.status,
        behaviour.body ?? httpErrorText(behaviour.status),
        behaviour.headers,
      )
      return
    }

    const numbers = (form.to ?? '').split(',').map((n) => n.trim())
    const recipients = numbers.map((number) => {
      const messageId = `ATXid_${nextMessageId++}`
      if (behaviour.kind === 'recipient-failure') {
        return {
          statusCode: behaviour.statusCode,
          number,
          status: behaviour.status,
          cost: '0',
          messageId,
        }
      }
      return { statusCode: 101, number, status: 'Success', cost, messageId }
    })
    const sent = recipients.filter((r) => r.status === 'Success').length
    const body = {
      SMSMessageData: {
        Message: `Sent to ${sent}/${numbers.length} Total Cost: ${sent > 0 ? cost : '0'}`,
        Recipients: recipients,
      },
    }
    reply(response, 201, JSON.stringify(body), { 'content-type': 'application/json' })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    username,
    apiKey,
    requests,
    script: (...behaviours) => queue.push(...behaviours),
    setDefault: (behaviour) => {
      fallback = typeof behaviour === 'function' ? behaviour : () => behaviour
    },
    sends: () => requests.filter((r) => r.behaviour !== null),
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function checkRequest(
  request: IncomingMessage,
  form: Record<string, string>,
  account: { username: string; apiKey: string },
): { status: number; body: string } | null {
  if (request.method !== 'POST' || request.url?.split('?')[0] !== '/version1/messaging') {
    return { status: 404, body: `No route for ${request.method} ${request.url}` }
  }
  if (request.headers.apikey !== account.apiKey) {
    return { status: 401, body: 'The supplied authentication is invalid' }
  }
  if (form.username !== account.username) {
    return { status: 401, body: 'The supplied authentication is invalid' }
  }
  for (const field of ['to', 'message']) {
    if (!form[field])
      return { status: 400, body: `Request is missing required form field '${field}'` }
  }
  if (form.from !== undefined && form.from.trim() === '') {
    return { status: 400, body: 'InvalidSenderId' }
  }
  return null
}

async function readForm(request: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()))
}

function reply(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = { 'content-type': 'text/plain' },
): void {
  response.writeHead(status, headers)
  response.end(body)
}

function httpErrorText(status: number): string {
  if (status === 401) return 'The supplied authentication is invalid'
  if (status === 429) return 'Too many requests'
  if (status >= 500) return 'Internal server error'
  return 'Bad request'
}
