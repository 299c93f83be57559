import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import type { UssdChannel } from '../channels/ussd-channel.ts'
import type { VoiceChannel } from '../channels/voice-channel.ts'
import type { UssdEngine } from '../engine/ussd-engine.ts'
import type { VoiceEngine } from '../engine/voice-engine.ts'
import type { SessionStore } from '../store/session-store.ts'
import { createSimulatorRoutes, type SimulatorDependencies } from '../simulator/simulator-routes.ts'
import { limitBody } from './limit-body.ts'
import { readForm } from './read-form.ts'
import { maskForm } from './mask-form.ts'

export interface AppDependencies {
  readonly engine: UssdEngine
  readonly store: SessionStore
  readonly logger: Logger
  readonly ussdChannels: readonly UssdChannel[]
  readonly voiceEngine?: VoiceEngine
  readonly voiceChannels?: readonly VoiceChannel[]
  /** Origin put in the callback URLs of voice replies; unset, the request's own origin. */
  readonly publicBaseUrl?: string
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
  /** Serves the web phone simulator at `/simulator` when set; it shows sessions unmasked. */
  readonly simulator?: SimulatorDependencies
}

// Aggregator callbacks are a few hundred bytes; anything near this is not one.
const maxCallbackBytes = 8 * 1024

type Variables = { requestId: string; logger: Logger }

/** Builds the HTTP app: one callback route per channel adapter, plus `/healthz`. */
export function createApp(dependencies: AppDependencies): Hono<{ Variables: Variables }> {
  const { engine, store, logger } = dependencies
  const now = dependencies.now ?? Date.now
  const app = new Hono<{ Variables: Variables }>()

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id') ?? randomUUID()
    const requestLogger = logger.child({ requestId })
    c.set('requestId', requestId)
    c.set('logger', requestLogger)

    const started = performance.now()
    await next()
    // The handler has read and cached the body unless it was rejected for its size or type.
    // Only aggregator forms are logged (masked); a JSON body such as the flow API's is not.
    const isForm = c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded')
    const bodyWasRead =
      c.req.method === 'POST' && isForm === true && c.res.status !== 413 && c.res.status !== 415
    const body = bodyWasRead ? maskForm(await c.req.text().catch(() => '')) : undefined
    requestLogger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        body,
      },
      'request',
    )
  })

  app.get('/healthz', async (c) => {
    try {
      await store.ping()
      return c.json({ status: 'ok', store: 'up' })
    } catch (error) {
      c.get('logger').warn({ err: error }, 'health check: store is down')
      return c.json({ status: 'unavailable', store: 'down' }, 503)
    }
  })

  for (const channel of dependencies.ussdChannels) {
    const path = `/${channel.provider}/ussd`
    const limit = limitBody(maxCallbackBytes, (c) =>
      c.text(
        `Body is larger than ${maxCallbackBytes} bytes; a USSD callback is a short form.`,
        413,
      ),
    )

    app.post(path, limit, async (c) => {
      const form = await readForm(c)
      const hop = form.ok ? channel.parseHop(form.value, now()) : form
      if (!hop.ok) return c.text(hop.problem.message, hop.problem.status)

      const reply = await engine.handle(hop.value)
      const rendered = channel.renderReply(reply)
      return c.body(rendered.body, 200, { 'content-type': rendered.contentType })
    })

    app.all(path, (c) =>
      c.text(`Method ${c.req.method} is not allowed on ${path}. Use POST.`, 405, { allow: 'POST' }),
    )

    const parseSessionEnd = channel.parseSessionEnd?.bind(channel)
    if (parseSessionEnd !== undefined)
      addSessionEndRoute(app, `${path}/events`, parseSessionEnd, engine, now)
  }

  const voiceEngine = dependencies.voiceEngine
  if (voiceEngine !== undefined) {
    const voiceOptions = { publicBaseUrl: dependencies.publicBaseUrl, now }
    for (const channel of dependencies.voiceChannels ?? []) {
      addVoiceRoute(app, channel, voiceEngine, voiceOptions)
    }
  }

  if (dependencies.simulator !== undefined) {
    app.route('/simulator', createSimulatorRoutes(dependencies.simulator))
  }

  app.notFound((c) => c.text(`No route for ${c.req.method} ${c.req.path}.`, 404))
  app.onError((error, c) => {
    c.get('logger')?.error({ err: error }, 'request failed')
    return c.text('Internal error.', 500)
  })
  return app
}

/**
 * Serves a gateway's end-of-session notices. It answers 200 once the notice is handled, and 200
 * even when handling failed (logged), because a gateway retrying the notice cannot fix that.
 */
function addSessionEndRoute(
  app: Hono<{ Variables: Variables }>,
  path: string,
  parse: NonNullable<UssdChannel['parseSessionEnd']>,
  engine: UssdEngine,
  now: () => number,
): void {
  const limit = limitBody(maxCallbackBytes, (c) =>
    c.text(`Body is larger than ${maxCallbackBytes} bytes; a session notice is a short form.`, 413),
  )

  app.post(path, limit, async (c) => {
    const form = await readForm(c)
    const notice = form.ok ? parse(form.value, now()) : form
    if (!notice.ok) return c.text(notice.problem.message, notice.problem.status)

    try {
      await engine.handleSessionEnd(notice.value)
    } catch (error) {
      c.get('logger').error(
        { err: error, sessionId: notice.value.sessionId },
        'failed to handle a session end notice',
      )
    }
    return c.text('OK', 200)
  })

  app.all(path, (c) =>
    c.text(`Method ${c.req.method} is not allowed on ${path}. Use POST.`, 405, { allow: 'POST' }),
  )
}

/**
 * Serves one provider's voice callbacks. Callback URLs in replies use `publicBaseUrl` when set,
 * because behind a proxy the request's own origin is not the one the aggregator can reach.
 */
function addVoiceRoute(
  app: Hono<{ Variables: Variables }>,
  channel: VoiceChannel,
  engine: VoiceEngine,
  options: { readonly publicBaseUrl?: string; readonly now: () => number },
): void {
  const path = `/${channel.provider}/voice`
  const limit = limitBody(maxCallbackBytes, (c) =>
    c.text(`Body is larger than ${maxCallbackBytes} bytes; a voice callback is a short form.`, 413),
  )

  app.post(path, limit, async (c) => {
    const url = new URL(c.req.url)
    const form = await readForm(c)
    const call = form.ok ? channel.parseCallback(form.value, url.searchParams, options.now()) : form
    if (!call.ok) return c.text(call.problem.message, call.problem.status)

    const reply = await engine.handle(call.value)
    const origin = options.publicBaseUrl?.replace(/\/+$/, '') ?? url.origin
    const rendered = channel.renderReply(reply, origin + path)
    return c.body(rendered.body, 200, { 'content-type': rendered.contentType })
  })

  app.all(path, (c) =>
    c.text(`Method ${c.req.method} is not allowed on ${path}. Use POST.`, 405, { allow: 'POST' }),
  )
}
