import { describe, expect, it } from 'vitest'
import type { UssdChannel } from '../src/channels/ussd-channel.ts'

/** A valid callback of one provider, and that provider's names for the fields every hop needs. */
export interface UssdSampleFields {
  readonly valid: Readonly<Record<string, string>>
  /** E.164 form of the phone number in `valid`. */
  readonly msisdn: string
  readonly names: {
    readonly sessionId: string
    readonly phone: string
    readonly serviceCode: string
  }
}

// A reply body that a USSD gateway accepts starts with the keyword, one space and a visible character.
const replyShape = /^(CON|END) \S/

const receivedAt = Date.UTC(2024, 4, 1, 10, 0, 0)

function formWith(sample: UssdSampleFields, changes: Record<string, string | undefined>) {
  const fields = new URLSearchParams()
  for (const [name, value] of Object.entries({ ...sample.valid, ...changes })) {
    if (value !== undefined) fields.set(name, value)
  }
  return fields
}

/**
 * Describes the checks every USSD adapter must pass. A valid callback becomes a hop with an E.164
 * number, and a callback without a required field is a 400 that names the field. Every rendered
 * reply starts with `CON ` or `END ` followed by visible text.
 */
export function describeUssdChannelContract(channel: UssdChannel, sample: UssdSampleFields) {
  describe(`USSD channel contract: ${channel.provider}`, () => {
    it('parses a valid callback into a hop', () => {
      const result = channel.parseHop(formWith(sample, {}), receivedAt)

      expect(result.ok).toBe(true)
      if (!result.ok) return
      expect(result.value.provider).toBe(channel.provider)
      expect(result.value.sessionId).toBe(sample.valid[sample.names.sessionId])
      expect(result.value.serviceCode).toBe(sample.valid[sample.names.serviceCode])
      expect(result.value.msisdn).toBe(sample.msisdn)
      expect(result.value.msisdn).toMatch(/^\+[1-9]\d{6,14}$/)
      expect(result.value.receivedAt).toBe(receivedAt)
    })

    const required = [
      ['session id', sample.names.sessionId],
      ['phone number', sample.names.phone],
      ['service code', sample.names.serviceCode],
    ] as const

    it.each(required)('rejects a callback without the %s', (_label, field) => {
      const result = channel.parseHop(formWith(sample, { [field]: undefined }), receivedAt)

      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.problem.status).toBe(400)
      expect(result.problem.message).toContain(field)
    })

    it.each(required)('rejects a callback with a blank %s', (_label, field) => {
      const result = channel.parseHop(formWith(sample, { [field]: '  ' }), receivedAt)

      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.problem.status).toBe(400)
      expect(result.problem.message).toContain(field)
    })

    it('rejects a phone number that is not one', () => {
      const result = channel.parseHop(
        formWith(sample, { [sample.names.phone]: 'not-a-number' }),
        receivedAt,
      )

      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.problem.status).toBe(400)
      expect(result.problem.message).toContain(sample.names.phone)
    })

    const texts = [
      ['plain text', 'Welcome\n1. Check balance'],
      ['empty text', ''],
      ['whitespace only', ' \n\t '],
      ['leading spaces', '   Welcome'],
      ['leading newline', '\nWelcome'],
      ['leading byte order mark', '\ufeffWelcome'],
    ] as const
    const cases = texts.flatMap(([label, text]) => [
      { label: `continue reply, ${label}`, end: false, text, keyword: 'CON' },
      { label: `end reply, ${label}`, end: true, text, keyword: 'END' },
    ])

    it.each(cases)('renders a $label', ({ end, text, keyword }) => {
      const { body } = channel.renderReply({ end, text })

      expect(body).toMatch(replyShape)
      expect(body.startsWith(`${keyword} `)).toBe(true)
      expect(body).not.toContain('\ufeff')
    })

    it('keeps the reply text after the keyword', () => {
      const { body } = channel.renderReply({ end: false, text: 'Welcome\n1. Check balance' })

      expect(body).toBe('CON Welcome\n1. Check balance')
    })
  })
}
