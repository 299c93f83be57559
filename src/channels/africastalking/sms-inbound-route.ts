import { Hono, type Context } from 'hono'
import type { Logger } from 'pino'
import { isStoreFailure } from '../../engine/after-commit.ts'
import { limitBody } from '../../http/limit-body.ts'
import { readForm } from '../../http/read-form.ts'
import type { InboundStore } from '../../messaging/inbound/inbound-store.ts'
import { parseInboundSms, type InboundSms } from '../../messaging/inbound/parse-inbound-sms.ts'
import { maskMsisdn } from '../../text/phone.ts'

export interface SmsInboundRouteDependencies {
  readonly inbound: InboundStore
  /** Handles a stored message and returns the outcome label stored with it. */
  readonly handler: { handle(message: InboundSms): Promise<string> }
  readonly logger: Logger
  readonly defaultCountryCode: string
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
  /**
   * Milliseconds after a message was stored during which a repeat that finds no outcome gets 503,
   * because the first delivery may still be handling it.
   */
  readonly handlingLeaseMs?: number
}

export const inboundSmsPath = '/africastalking/sms'

// An inbound SMS callback is a few hundred bytes; anything near this is not one.
const maxCallbackBytes = 8 * 1024
// Handling runs the tasks of one flow step (HOP_BUDGET_MS, at most 9 s) and a few store round
// trips, so 20 s is a little over twice the largest budget.
const defaultHandlingLeaseMs = 20_000

/**
 * Builds the Africa's Talking inbound SMS route, `POST /africastalking/sms`, to mount on the
 * main app. A message is stored before it is handled and answered: 200 once it is handled, or
 * for a repeat of a message handled already. 503 (so Africa's Talking sends it again) when the
 * store is down, or when a repeat arrives while the first delivery may still be handling it. A
 * message stored but never handled, because the process stopped, is handled when it comes again.
 */
export function createSmsInboundRoute(dependencies: SmsInboundRouteDependencies): Hono {
  const { inbound, handler, logger } = dependencies
  const now = dependencies.now ?? Date.now
  const leaseMs = dependencies.handlingLeaseMs ?? defaultHandlingLeaseMs
  const app = new Hono()
  const limit = limitBody(maxCallbackBytes, (c) =>
    c.text(
      `Body is larger than ${maxCallbackBytes} bytes; an inbound SMS callback is a short form.`,
      413,
    ),
  )

  app.post(inboundSmsPath, limit, async (c) => {
    const form = await readForm(c)
    const parsed = form.ok
      ? parseInboundSms(form.value, now(), { defaultCountryCode: dependencies.defaultCountryCode })
      : form
    if (!parsed.ok) return c.text(parsed.problem.message, parsed.problem.status)

    const message = parsed.value
    const log = logger.child({ sms: message.providerId, from: maskMsisdn(message.from) })

    let fresh: boolean
    try {
      fresh = await inbound.saveIfNew(message)
      if (!fresh) {
        const stored = await inbound.get(message.id)
        if (stored?.outcome !== undefined) {
          log.info({ outcome: stored.outcome }, 'repeated inbound sms, already handled')
          return c.text('OK')
        }
        if (stored !== null && now() - stored.storedAt < leaseMs) {
          log.info('repeated inbound sms while the first may still be handled; asked to resend')
          return retryLater(c, leaseMs)
        }
        log.warn('inbound sms stored but never handled, handling it now')
      }
    } catch (error) {
      log.error({ err: error }, 'inbound sms could not be stored; asked the provider to resend')
      return c.text('The message could not be stored. Send it again later.', 503)
    }

    let outcome: string
    try {
      outcome = await handler.handle(message)
    } catch (error) {
      // Flow failures are handled inside; what is left is a store or the outbox that failed. The
      // message stays stored without an outcome, so the next delivery handles it.
      const cause = isStoreFailure(error) ? 'store unavailable' : 'unexpected error'
      log.error({ err: error, cause }, 'inbound sms handling stopped; asked the provider to resend')
      return c.text('The message could not be handled. Send it again later.', 503)
    }

    await inbound.markHandled(message.id, outcome).catch((error: unknown) => {
      log.error({ err: error, outcome }, 'inbound sms handled but its outcome was not stored')
    })
    return c.text('OK')
  })

  app.all(inboundSmsPath, (c) =>
    c.text(`Method ${c.req.method} is not allowed on ${inboundSmsPath}. Use POST.`, 405, {
      allow: 'POST',
    }),
  )
  return app
}

function retryLater(c: Context, leaseMs: number): Response {
  const seconds = String(Math.ceil(leaseMs / 1000))
  return c.text('The message is being handled. Send it again later.', 503, {
    'retry-after': seconds,
  })
}
