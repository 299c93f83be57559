import { z } from 'zod'
import { normalizeMsisdn } from '../../text/phone.ts'
import type { SessionReply } from '../../store/session-store.ts'
import type { ParseResult, UssdChannel } from '../ussd-channel.ts'
import type { UssdHop, UssdSessionEnd } from '../../engine/ussd-engine.ts'

const required = (field: string) =>
  z
    .string({ error: `${field} is missing` })
    .trim()
    .min(1, `${field} is empty`)

// Field names and meaning as Africa's Talking sends them on every USSD hop.
const hopSchema = z.object({
  sessionId: required('sessionId').max(128, 'sessionId is longer than 128 characters'),
  serviceCode: required('serviceCode').max(64, 'serviceCode is longer than 64 characters'),
  phoneNumber: required('phoneNumber'),
  networkCode: z.string().optional(),
  // A missing text is an empty one: the first hop of a session.
  text: z.string().default(''),
})

// Africa's Talking's end-of-session notice, sent to its own callback URL.
const sessionEndSchema = z.object({
  sessionId: required('sessionId').max(128, 'sessionId is longer than 128 characters'),
  phoneNumber: required('phoneNumber'),
  status: required('status'),
  errorMessage: z.string().optional(),
  durationInMillis: z.coerce.number().optional().catch(undefined),
  hopsCount: z.coerce.number().optional().catch(undefined),
})

// `Incomplete`: the person left or timed out on a CON screen. `Failed`: the gateway gave up on
// the session, for example after an application error. `Success` ended on an END.
const droppedStatuses = new Set(['incomplete', 'failed'])

/** Africa's Talking USSD: form fields in, `CON `/`END ` plain text out. */
export function createAfricasTalkingUssdChannel(options: {
  defaultCountryCode: string
}): UssdChannel {
  return {
    provider: 'africastalking',

    parseHop(fields, receivedAt): ParseResult<UssdHop> {
      const hint = 'Send sessionId, serviceCode, phoneNumber and text as form fields.'
      const parsed = parseWithPhone(hopSchema, fields, hint, options.defaultCountryCode)
      if (!parsed.ok) return parsed

      const { data: hop, msisdn } = parsed.value
      return {
        ok: true,
        value: {
          provider: 'africastalking',
          sessionId: hop.sessionId,
          msisdn,
          serviceCode: hop.serviceCode,
          network: hop.networkCode,
          text: hop.text,
          receivedAt,
        },
      }
    },

    parseSessionEnd(fields, receivedAt): ParseResult<UssdSessionEnd> {
      const hint = 'Send sessionId, phoneNumber and status as form fields.'
      const parsed = parseWithPhone(sessionEndSchema, fields, hint, options.defaultCountryCode)
      if (!parsed.ok) return parsed

      const { data: notice, msisdn } = parsed.value
      return {
        ok: true,
        value: {
          provider: 'africastalking',
          sessionId: notice.sessionId,
          msisdn,
          status: notice.status,
          dropped: droppedStatuses.has(notice.status.toLowerCase()),
          errorMessage: notice.errorMessage,
          durationMs: notice.durationInMillis,
          hops: notice.hopsCount,
          receivedAt,
        },
      }
    },

    renderReply(reply: SessionReply) {
      // The gateway rejects a body with anything before CON/END or nothing after it.
      const text = reply.text.trim() === '' ? 'Thank you.' : reply.text.trimStart()
      return {
        contentType: 'text/plain; charset=utf-8',
        body: `${reply.end ? 'END' : 'CON'} ${text}`,
      }
    },
  }
}

/** Validates form fields against `schema` and normalises their `phoneNumber` to E.164. */
function parseWithPhone<T extends { phoneNumber: string }>(
  schema: z.ZodType<T>,
  fields: URLSearchParams,
  hint: string,
  defaultCountryCode: string,
): ParseResult<{ data: T; msisdn: string }> {
  const parsed = schema.safeParse(Object.fromEntries(fields))
  if (!parsed.success) {
    const message = `${parsed.error.issues[0]?.message ?? 'invalid callback'}. ${hint}`
    return { ok: false, problem: { status: 400, message } }
  }

  const msisdn = normalizeMsisdn(parsed.data.phoneNumber, defaultCountryCode)
  if (msisdn === null) {
    const message = `phoneNumber "${parsed.data.phoneNumber}" is not a phone number. Send it in international format, such as +254700000001.`
    return { ok: false, problem: { status: 400, message } }
  }
  return { ok: true, value: { data: parsed.data, msisdn } }
}
