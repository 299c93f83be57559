import { z } from 'zod'
import type { ParseResult } from '../../channels/ussd-channel.ts'
import { normalizeMsisdn } from '../../text/phone.ts'
import { normalizeMatchText } from './match-text.ts'
import { parseProviderDate } from './parse-provider-date.ts'

/** One inbound SMS, normalised from the provider's callback. */
export interface InboundSms {
  /** `<provider>:<providerId>`, the key the inbound store deduplicates on. */
  readonly id: string
  readonly provider: 'africastalking'
  /** The provider's message id; a retried callback carries the same one. */
  readonly providerId: string
  /** Sender in E.164 form. */
  readonly from: string
  /** Short code or long number the message was sent to, as the provider sent it. */
  readonly to: string
  /** The text exactly as the sender wrote it, decoded once from the form body. */
  readonly text: string
  /** `text` normalised for keyword and answer matching (see `normalizeMatchText`). */
  readonly matchText: string
  /** Milliseconds since the epoch: the provider's date, or the receive time when it has none. */
  readonly receivedAt: number
  /** Echoed on a reply through a premium (on-demand) product. */
  readonly linkId?: string
  readonly networkCode?: string
}

export interface InboundSmsOptions {
  /** Country code assumed for a sender in local form (`0700000001`). */
  readonly defaultCountryCode: string
}

const required = (field: string) =>
  z
    .string({ error: `${field} is missing` })
    .trim()
    .min(1, `${field} is empty`)

const optional = (field: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${field} is longer than ${max} characters`)
    .optional()
    .transform((value) => (value === '' ? undefined : value))

// Field names and meaning as Africa's Talking sends them for every inbound SMS.
const smsSchema = z.object({
  id: required('id').max(128, 'id is longer than 128 characters'),
  from: required('from'),
  to: required('to').max(64, 'to is longer than 64 characters'),
  // An empty SMS is possible, and some gateways leave the empty field out.
  text: z.string().default(''),
  date: z.string().optional(),
  linkId: optional('linkId', 128),
  networkCode: optional('networkCode', 16),
})

const fieldsHint = 'Send id, from, to, text and date as form fields.'

/**
 * Parses an Africa's Talking inbound SMS callback. `fields` must come from
 * `new URLSearchParams(body)` and nothing else, because the text is decoded exactly once: `%2B`
 * stays `+`, and a raw `+` is a space. `receivedAt` (milliseconds) stands in for a missing or
 * invalid `date`.
 */
export function parseInboundSms(
  fields: URLSearchParams,
  receivedAt: number,
  options: InboundSmsOptions,
): ParseResult<InboundSms> {
  const parsed = smsSchema.safeParse(Object.fromEntries(fields))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return reject(`${issue?.message ?? 'invalid callback'}. ${fieldsHint}`)
  }

  const sms = parsed.data
  const from = normalizeMsisdn(sms.from, options.defaultCountryCode)
  if (from === null) {
    return reject(
      `from "${sms.from}" is not a phone number. Send it in international format, such as +254700000001.`,
    )
  }

  return {
    ok: true,
    value: {
      id: `africastalking:${sms.id}`,
      provider: 'africastalking',
      providerId: sms.id,
      from,
      to: sms.to,
      text: sms.text,
      matchText: normalizeMatchText(sms.text),
      receivedAt: parseProviderDate(sms.date) ?? receivedAt,
      ...(sms.linkId === undefined ? {} : { linkId: sms.linkId }),
      ...(sms.networkCode === undefined ? {} : { networkCode: sms.networkCode }),
    },
  }
}

function reject(message: string): ParseResult<never> {
  return { ok: false, problem: { status: 400, message } }
}
