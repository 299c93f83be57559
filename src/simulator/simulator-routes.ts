import { Hono } from 'hono'
import type { FlowRegistry } from '../engine/flow-registry.ts'
import type { SessionStore } from '../store/session-store.ts'
import { normalizeMsisdn } from '../text/phone.ts'
import type { SentMessageLog } from './sent-message-log.ts'
import { simulatorPage } from './simulator-page.ts'

export interface SimulatorDependencies {
  readonly registry: FlowRegistry
  readonly store: SessionStore
  readonly sentMessages: SentMessageLog
  /** Country code for a phone number given without one. */
  readonly defaultCountryCode: string
}

// The page is self-contained: this policy lets the browser fetch nothing from another origin.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

/**
 * Builds the web phone simulator, to mount at `/simulator`: the page, the routed service codes
 * and voice numbers, a stored session, and the SMS sent to a number. Session data is shown
 * unmasked, so mount it only in development or behind access control.
 */
export function createSimulatorRoutes(dependencies: SimulatorDependencies): Hono {
  const { registry, store, sentMessages } = dependencies
  const app = new Hono()

  app.get('/', (c) =>
    c.html(simulatorPage, 200, {
      'content-security-policy': contentSecurityPolicy,
      'cache-control': 'no-store',
    }),
  )

  app.get('/api/routes', (c) =>
    c.json({
      ussd: [...registry.serviceCodes()].map(([serviceCode, flowId]) => ({ serviceCode, flowId })),
      voice: [...registry.voiceNumbers()].map(([number, flowId]) => ({ number, flowId })),
    }),
  )

  app.get('/api/session', async (c) => {
    const key = c.req.query('key')?.trim() ?? ''
    if (!/^[\w-]+:\S{1,128}$/.test(key)) {
      return c.json(
        { error: 'Query parameter key is missing or invalid. Use africastalking:<sessionId>.' },
        400,
      )
    }

    const record = await store.load(key)
    if (record === null) return c.json({ error: `No session is stored under ${key}.` }, 404)
    return c.json({ ...record, outbox: record.pendingEffects ?? [] })
  })

  app.get('/api/messages', (c) => {
    const phone = c.req.query('phone') ?? ''
    const msisdn = normalizeMsisdn(phone, dependencies.defaultCountryCode)
    if (msisdn === null) {
      return c.json(
        { error: `Query parameter phone "${phone}" is not a phone number, such as +254700000001.` },
        400,
      )
    }
    return c.json({ phone: msisdn, messages: sentMessages.forNumber(msisdn) })
  })

  return app
}
