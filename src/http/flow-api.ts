import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import { Hono, type Context } from 'hono'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { FlowRegistry } from '../engine/flow-registry.ts'
import type { SmsEngine, SmsStepStatus } from '../engine/sms-engine.ts'
import { maskMsisdn, normalizeMsisdn } from '../text/phone.ts'
import { limitBody } from './limit-body.ts'

export interface FlowApiDependencies {
  /** Bearer token every request must carry; unset, every request is rejected. */
  readonly token?: string
  readonly engine: SmsEngine
  readonly flows: FlowRegistry
  readonly logger: Logger
  readonly defaultCountryCode: string
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
}

/** Outcome of a start request for one recipient. */
export interface StartResult {
  /** The number as it was sent. */
  readonly to: string
  /** E.164 form, when the number is valid. */
  readonly msisdn?: string
  readonly status: SmsStepStatus | 'scheduled' | 'invalid' | 'duplicate'
  /** Milliseconds since the epoch, for `scheduled`. */
  readonly dueAt?: number
  readonly error?: string
}

// Up to this many recipients per request, so one request stays within a few seconds.
const maxRecipients = 1000
const maxBodyBytes = 256 * 1024

const startSchema = z.strictObject({
  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(maxRecipients)]),
  context: z.record(z.string(), z.unknown()).optional(),
  sendAt: z.iso.datetime({ offset: true }).optional(),
})

/**
 * Builds the flow API, to mount on the main app. `POST /api/flows/:flowId/start` starts a flow
 * over SMS for each number in `to`, with `context` added to the flow's context, now or at
 * `sendAt` (an ISO time, kept as a durable timer). It returns 202 with one result per number:
 * invalid numbers and repeats are reported, not fatal. 401 without the bearer token.
 */
export function createFlowApi(dependencies: FlowApiDependencies): Hono {
  const now = dependencies.now ?? Date.now
  const app = new Hono()
  const limit = limitBody(maxBodyBytes, (c) =>
    c.json({ error: `Body is larger than ${maxBodyBytes} bytes. Split the recipients.` }, 413),
  )

  app.post('/api/flows/:flowId/start', limit, async (c) => {
    if (!authorized(c, dependencies.token)) {
      return c.json(
        { error: 'Missing or invalid bearer token. Send Authorization: Bearer <API_TOKEN>.' },
        401,
        {
          'www-authenticate': 'Bearer',
        },
      )
    }

    const contentType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (contentType !== 'application/json') {
      return c.json(
        {
          error: `Content-Type "${contentType ?? 'none'}" is not supported. Send application/json.`,
        },
        415,
      )
    }

    const flowId = c.req.param('flowId')
    if (dependencies.flows.get(flowId) === undefined) {
      const loaded = dependencies.flows.all().map((flow) => flow.id)
      return c.json(
        { error: `Flow "${flowId}" is not loaded. Loaded flows: ${loaded.join(', ')}.` },
        404,
      )
    }

    const body = await readJson(c)
    if (body === invalidJson) return c.json({ error: 'Body is not valid JSON.' }, 400)
    const parsed = startSchema.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue?.path.join('.') || 'body'
      return c.json(
        {
          error: `${where}: ${issue?.message ?? 'invalid'}. Send { "to": [...], "context": {...}, "sendAt"?: ISO time }.`,
        },
        400,
      )
    }

    const request = parsed.data
    const dueAt = request.sendAt === undefined ? undefined : Date.parse(request.sendAt)
    const recipients = typeof request.to === 'string' ? [request.to] : request.to
    const requestId = randomUUID()
    const results: StartResult[] = []
    const seen = new Set<string>()

    for (const to of recipients) {
      const msisdn = normalizeMsisdn(to, dependencies.defaultCountryCode)
      if (msisdn === null) {
        results.push({
          to,
          status: 'invalid',
          error: 'not a phone number; send it as +254700000001',
        })
        continue
      }
      if (seen.has(msisdn)) {
        results.push({ to, msisdn, status: 'duplicate' })
        continue
      }
      seen.add(msisdn)

      const start = { msisdn, flowId, context: request.context ?? {} }
      if (dueAt !== undefined && dueAt > now()) {
        await dependencies.engine.scheduleStart(start, dueAt)
        results.push({ to, msisdn, status: 'scheduled', dueAt })
        continue
      }
      const started = await dependencies.engine.start({
        ...start,
        origin: 'api',
        messageId: `api:${requestId}:${msisdn}`,
      })
      results.push({ to, msisdn, status: started.status })
    }

    dependencies.logger.info(
      {
        flow: flowId,
        recipients: results.length,
        first: results[0]?.msisdn === undefined ? undefined : maskMsisdn(results[0].msisdn),
        scheduled: dueAt !== undefined && dueAt > now(),
      },
      'flow start requested',
    )
    return c.json({ flowId, results }, 202)
  })

  app.all('/api/flows/:flowId/start', (c) =>
    c.json({ error: `Method ${c.req.method} is not allowed. Use POST.` }, 405, { allow: 'POST' }),
  )
  return app
}

/** Compares the bearer token in constant time; digests make both sides the same length. */
function authorized(c: Context, token: string | undefined): boolean {
  if (token === undefined) return false
  const header = c.req.header('authorization') ?? ''
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (match === null) return false

  const given = createHash('sha256').update(match[1]!).digest()
  const expected = createHash('sha256').update(token).digest()
  return timingSafeEqual(given, expected)
}

const invalidJson = Symbol('invalid JSON')

async function readJson(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text()) as unknown
  } catch {
    return invalidJson
  }
}
