import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Logger } from 'pino'
import { readForm } from '../../http/read-form.ts'
import type { DeliveryReportHandler } from '../../messaging/delivery-reports.ts'
import type { OptOutStore } from '../../messaging/opt-outs.ts'
import { maskMsisdn, normalizeMsisdn } from '../../text/phone.ts'

export interface SmsRoutesDependencies {
  readonly deliveryReports: DeliveryReportHandler
  readonly optOuts: OptOutStore
  readonly logger: Logger
  /** Country code for a number that arrives without one. */
  readonly defaultCountryCode: string
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
}

// Notifications are a few hundred bytes; anything near this is not one.
const maxNotificationBytes = 8 * 1024

/**
 * Builds the Africa's Talking SMS notification routes, to mount on the main app:
 * `POST /africastalking/sms/delivery` (delivery reports) and `POST /africastalking/sms/optout`
 * (bulk SMS opt-outs). Both return 200 for anything they can read, unknown values included,
 * because Africa's Talking resends a notification that gets an error status. They return 400
 * for a body without its key field, and 503 when the store is down, so the notification is sent
 * again instead of lost.
 */
export function createSmsRoutes(dependencies: SmsRoutesDependencies): Hono {
  const { deliveryReports, optOuts, logger } = dependencies
  const now = dependencies.now ?? Date.now
  const app = new Hono()
  const limit = bodyLimit({
    maxSize: maxNotificationBytes,
    onError: (c) => c.text(`Body is larger than ${maxNotificationBytes} bytes.`, 413),
  })

  app.post('/africastalking/sms/delivery', limit, async (c) => {
    const form = await readForm(c)
    if (!form.ok) return c.text(form.problem.message, form.problem.status)

    const fields = Object.fromEntries(form.value)
    const id = fields.id?.trim()
    if (!id) {
      return c.text(
        'Field "id" is missing. Send the messageId returned when the SMS was sent.',
        400,
      )
    }

    try {
      await deliveryReports.handle({
        id,
        status: fields.status?.trim(),
        phoneNumber: fields.phoneNumber,
        networkCode: fields.networkCode,
        failureReason: fields.failureReason?.trim() || undefined,
        fields,
      })
    } catch (error) {
      return storeUnavailable(c, logger, error, 'delivery report')
    }
    return c.text('OK')
  })

  app.post('/africastalking/sms/optout', limit, async (c) => {
    const form = await readForm(c)
    if (!form.ok) return c.text(form.problem.message, form.problem.status)

    const phoneNumber = form.value.get('phoneNumber')?.trim()
    if (!phoneNumber) {
      return c.text('Field "phoneNumber" is missing. Send the number that opted out.', 400)
    }
    const msisdn = normalizeMsisdn(phoneNumber, dependencies.defaultCountryCode)
    if (msisdn === null) {
      logger.warn({ phoneNumber: maskMsisdn(phoneNumber) }, 'opt-out for an invalid number ignored')
      return c.text('OK')
    }

    const senderId = form.value.get('senderId')?.trim()
    try {
      const stored = await optOuts.record({
        msisdn,
        reason: 'BulkSmsOptOut',
        source: 'opt-out-notification',
        ...(senderId ? { senderId } : {}),
        recordedAt: now(),
      })
      logger.info({ to: maskMsisdn(msisdn), senderId, stored }, 'bulk sms opt-out recorded')
    } catch (error) {
      return storeUnavailable(c, logger, error, 'opt-out')
    }
    return c.text('OK')
  })

  return app
}

function storeUnavailable(c: Context, logger: Logger, error: unknown, what: string): Response {
  logger.error({ err: error }, `${what} could not be stored; asked the provider to resend`)
  return c.text(`The ${what} could not be stored. Send it again later.`, 503)
}
