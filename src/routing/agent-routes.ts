import { randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import type { Logger } from 'pino'
import { z } from 'zod'
import { limitBody } from '../http/limit-body.ts'
import { StoreUnavailableError } from '../store/session-store.ts'
import type { AgentDesk } from './agent-desk.ts'
import type { QueueItem } from './queue-item.ts'
import { isReference } from './reference.ts'
import type { TeamToken } from './routing-config.ts'
import { namePattern } from './rule-schema.ts'
import { teamAuth } from './team-auth.ts'
import type { QueueProblem, QueueResult } from './team-queue.ts'

export interface AgentRoutesOptions {
  readonly desk: AgentDesk
  readonly tokens: readonly TeamToken[]
  /** Teams an item may be transferred to. */
  readonly teams: () => readonly string[]
  readonly logger: Logger
}

// An agent's reply or note is a few SMS long; anything near this is not one.
const maxBodyBytes = 16 * 1024

// A reply fits three GSM-7 segments (459 characters) with the reference added.
const replyText = z.string().trim().min(1).max(430)
const agentName = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[^\p{C}]+$/u, 'printable characters only')
  .optional()

const bodies = {
  claim: z.strictObject({ agent: agentName }),
  release: z.strictObject({ lease: z.string().min(1) }),
  reply: z.strictObject({ lease: z.string().min(1), text: replyText }),
  note: z.strictObject({ agent: agentName, text: z.string().trim().min(1).max(2000) }),
  transfer: z.strictObject({
    to: z.string().regex(namePattern, 'a team name'),
    agent: agentName,
    lease: z.string().min(1).optional(),
    note: z.string().trim().min(1).max(2000).optional(),
  }),
  resolve: z.strictObject({ lease: z.string().min(1), text: z.string().trim().min(1).max(300) }),
}

const statusOf: Record<QueueProblem, 404 | 409 | 503> = {
  'not-found': 404,
  'not-claimed': 409,
  'claimed-by-other': 409,
  'lease-mismatch': 409,
  'lease-expired': 409,
  resolved: 409,
  moved: 409,
  'reference-taken': 409,
  busy: 503,
}

/**
 * The agent API under `/api/teams/:team`: list the queue, claim, reply, note, transfer and
 * resolve. Every route needs the team's bearer token. Claims answer with a `lease`, which the
 * claimed-item actions must send back.
 */
export function createAgentRoutes(options: AgentRoutesOptions): Hono {
  const { desk } = options
  const app = new Hono()
  const base = '/api/teams/:team'

  app.use(`${base}/*`, teamAuth(options.tokens))
  app.use(
    `${base}/*`,
    limitBody(maxBodyBytes, (c) =>
      c.json({ error: `Body is larger than ${maxBodyBytes} bytes.` }, 413),
    ),
  )
  const checkReference = async (c: Context, next: () => Promise<void>) => {
    const reference = c.req.param('reference') ?? ''
    if (isReference(reference)) return next()
    return c.json({ error: `"${reference}" is not a reference such as REF-7KX4M2.` }, 404)
  }
  app.use(`${base}/items/:reference`, checkReference)
  app.use(`${base}/items/:reference/*`, checkReference)

  app.get(`${base}/items`, async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 200)
    const team = c.req.param('team')
    const items = await desk.list(team, limit)
    const transferTo = options.teams().filter((name) => name !== team)
    return c.json({ team, items: items.map(publicItem), transferTo })
  })

  app.get(`${base}/items/:reference`, async (c) => {
    const found = await desk.get(c.req.param('team'), c.req.param('reference'))
    if (found === null) return notFound(c)
    return c.json({ item: publicItem(found.item), events: found.events })
  })

  app.post(`${base}/claim`, async (c) => {
    const body = await readBody(c, bodies.claim)
    if (!body.ok) return body.response
    const result = await desk.claimNext(c.req.param('team'), body.value.agent ?? 'agent')
    if (!result.ok) return problem(c, result)
    if (result.value === null) return c.json({ item: null, lease: null })
    return c.json(claimView(result.value))
  })

  app.post(`${base}/items/:reference/claim`, async (c) => {
    const body = await readBody(c, bodies.claim)
    if (!body.ok) return body.response
    const { team, reference } = c.req.param()
    const result = await desk.claim(team, reference, body.value.agent ?? 'agent')
    return result.ok ? c.json(claimView(result.value)) : problem(c, result)
  })

  app.post(`${base}/items/:reference/release`, async (c) => {
    const body = await readBody(c, bodies.release)
    if (!body.ok) return body.response
    const { team, reference } = c.req.param()
    return itemResponse(c, await desk.release(team, reference, body.value.lease))
  })

  app.post(`${base}/items/:reference/reply`, async (c) => {
    const body = await readBody(c, bodies.reply)
    if (!body.ok) return body.response
    const key = c.req.header('idempotency-key') ?? randomUUID()
    if (!/^[\w-]{1,100}$/.test(key)) {
      return c.json({ error: 'Idempotency-Key must be 1 to 100 letters, digits, "-" or "_".' }, 400)
    }
    const { team, reference } = c.req.param()
    const result = await desk.reply(team, reference, body.value.lease, {
      text: body.value.text,
      key,
    })
    return itemResponse(c, result)
  })

  app.post(`${base}/items/:reference/notes`, async (c) => {
    const body = await readBody(c, bodies.note)
    if (!body.ok) return body.response
    const { team, reference } = c.req.param()
    const agent = body.value.agent ?? 'agent'
    return itemResponse(c, await desk.note(team, reference, agent, body.value.text))
  })

  app.post(`${base}/items/:reference/transfer`, async (c) => {
    const body = await readBody(c, bodies.transfer)
    if (!body.ok) return body.response
    const { team, reference } = c.req.param()
    const teams = options.teams()
    if (body.value.to === team) {
      return c.json({ error: `The item is already in team ${team}. Pick another team.` }, 400)
    }
    if (!teams.includes(body.value.to)) {
      const known = teams.filter((name) => name !== team).join(', ')
      return c.json({ error: `Team ${body.value.to} is not known. Use one of: ${known}.` }, 400)
    }
    const result = await desk.transfer(team, reference, {
      to: body.value.to,
      agent: body.value.agent ?? 'agent',
      lease: body.value.lease,
      note: body.value.note,
    })
    return itemResponse(c, result)
  })

  app.post(`${base}/items/:reference/resolve`, async (c) => {
    const body = await readBody(c, bodies.resolve)
    if (!body.ok) return body.response
    const { team, reference } = c.req.param()
    return itemResponse(c, await desk.resolve(team, reference, body.value.lease, body.value.text))
  })

  app.onError((error, c) => {
    if (error instanceof StoreUnavailableError) {
      options.logger.error({ err: error, path: c.req.path }, 'team queue store unavailable')
      return c.json({ error: 'The queue store is unavailable. Try again shortly.' }, 503)
    }
    options.logger.error({ err: error, path: c.req.path }, 'agent request failed')
    return c.json({ error: 'Internal error.' }, 500)
  })
  return app
}

/** An item as agents see it: everything but the secret of the current claim. */
export function publicItem(item: QueueItem): Omit<QueueItem, 'lease'> {
  const { lease: _lease, ...rest } = item
  return rest
}

function claimView(claim: { item: QueueItem; lease: string }) {
  return { item: publicItem(claim.item), lease: claim.lease, leaseUntil: claim.item.leaseUntil }
}

function itemResponse(c: Context, result: QueueResult<QueueItem>) {
  return result.ok ? c.json({ item: publicItem(result.value) }) : problem(c, result)
}

function problem(c: Context, result: { problem: QueueProblem; message: string }) {
  return c.json({ error: result.message, problem: result.problem }, statusOf[result.problem])
}

function notFound(c: Context) {
  return c.json(
    { error: `Team ${c.req.param('team')} has no item ${c.req.param('reference')}.` },
    404,
  )
}

async function readBody<T>(
  c: Context,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const type = c.req.header('content-type') ?? ''
  const raw = await c.req.text()
  // An empty body counts as {}, so a claim needs no body at all.
  let json: unknown = {}
  if (raw.trim() !== '') {
    if (!type.startsWith('application/json')) {
      const error = 'Send the body as JSON with Content-Type: application/json.'
      return { ok: false, response: c.json({ error }, 415) }
    }
    try {
      json = JSON.parse(raw)
    } catch {
      return { ok: false, response: c.json({ error: 'The body is not valid JSON.' }, 400) }
    }
  }
  const parsed = schema.safeParse(json)
  if (parsed.success) return { ok: true, value: parsed.data }

  const issues = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
  )
  return { ok: false, response: c.json({ error: `Invalid body. ${issues.join('; ')}.` }, 400) }
}
