import { describe, expect, it } from 'vitest'
import type { VoiceChannel } from '../src/channels/voice-channel.ts'
import type { VoiceReply } from '../src/engine/voice-reply.ts'
import { parseVoiceXml } from './support/voice-client.ts'

/** A valid live callback of one provider, and that provider's names for the fields it needs. */
export interface VoiceSampleFields {
  readonly valid: Readonly<Record<string, string>>
  /** E.164 forms of the caller and the line in `valid`. */
  readonly msisdn: string
  readonly line: string
  readonly names: {
    readonly sessionId: string
    readonly caller: string
    readonly line: string
  }
}

const receivedAt = Date.UTC(2024, 4, 1, 10, 0, 0)
const callbackUrl = 'https://switchboard.example.org/provider/voice'

function formWith(sample: VoiceSampleFields, changes: Record<string, string | undefined>) {
  const fields = new URLSearchParams()
  for (const [name, value] of Object.entries({ ...sample.valid, ...changes })) {
    if (value !== undefined) fields.set(name, value)
  }
  return fields
}

// Texts that break a document whose builder does not escape, or that XML cannot carry at all.
const hostileText = `Fish & chips <b>"now"</b> it's 5 > 4 \u0000\u0007\ufffe done`

const replies: readonly { label: string; reply: VoiceReply }[] = [
  { label: 'spoken goodbye', reply: { actions: [{ kind: 'say', text: 'Goodbye.' }] } },
  {
    label: 'text with markup characters',
    reply: { actions: [{ kind: 'say', text: hostileText }] },
  },
  {
    label: 'menu with a fallback',
    reply: {
      actions: [
        {
          kind: 'getDigits',
          prompt: { kind: 'say', text: 'Press 1 for A & B.' },
          numDigits: 1,
          finishOnKey: '#',
          timeoutSeconds: 15,
          step: 3,
        },
        { kind: 'say', text: 'We did not get your choice.' },
        { kind: 'redirect', step: 3 },
      ],
    },
  },
  {
    label: 'recording with an audio prompt',
    reply: {
      actions: [
        {
          kind: 'record',
          prompt: { kind: 'play', url: 'https://example.org/a.mp3?x=1&y="2"' },
          finishOnKey: '#',
          maxLengthSeconds: 60,
          step: 7,
        },
        { kind: 'say', text: 'We did not get your answer.' },
        { kind: 'redirect', step: 7 },
      ],
    },
  },
]

/**
 * Describes the checks every voice adapter must pass. A valid callback becomes one with E.164
 * numbers; a callback without a required field is a 400 that names the field; a bad step in the
 * callback URL is a 400. Every live reply is well-formed XML whose text survives escaping, and
 * the reply to a final notification carries no actions.
 */
export function describeVoiceChannelContract(channel: VoiceChannel, sample: VoiceSampleFields) {
  describe(`voice channel contract: ${channel.provider}`, () => {
    it('parses a valid callback', () => {
      const result = channel.parseCallback(formWith(sample, {}), new URLSearchParams(), receivedAt)

      expect(result.ok).toBe(true)
      if (!result.ok) return
      expect(result.value.provider).toBe(channel.provider)
      expect(result.value.sessionId).toBe(sample.valid[sample.names.sessionId])
      expect(result.value.msisdn).toBe(sample.msisdn)
      expect(result.value.line).toBe(sample.line)
      expect(result.value.active).toBe(true)
      expect(result.value.step).toBeUndefined()
      expect(result.value.receivedAt).toBe(receivedAt)
    })

    it('reads the step of the callback URL', () => {
      const query = new URLSearchParams({ step: '4', timeout: '1' })
      const result = channel.parseCallback(formWith(sample, {}), query, receivedAt)

      expect(result.ok).toBe(true)
      if (!result.ok) return
      expect(result.value.step).toBe(4)
      expect(result.value.timedOut).toBe(true)
    })

    const required = [
      ['session id', sample.names.sessionId],
      ['caller number', sample.names.caller],
      ['line number', sample.names.line],
    ] as const

    it.each(required)('rejects a callback without the %s', (_label, field) => {
      const form = formWith(sample, { [field]: undefined })
      const result = channel.parseCallback(form, new URLSearchParams(), receivedAt)

      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.problem.status).toBe(400)
      expect(result.problem.message).toContain(field)
    })

    it.each(required)('rejects a callback with a blank %s', (_label, field) => {
      const form = formWith(sample, { [field]: ' ' })
      const result = channel.parseCallback(form, new URLSearchParams(), receivedAt)

      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.problem.status).toBe(400)
      expect(result.problem.message).toContain(field)
    })

    it.each(['0', '-1', 'two', '1e3'])('rejects the step %j', (step) => {
      const query = new URLSearchParams({ step })
      const result = channel.parseCallback(formWith(sample, {}), query, receivedAt)

      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.problem.status).toBe(400)
      expect(result.problem.message).toContain('step')
    })

    it.each(replies)('renders a $label as well-formed XML', ({ reply }) => {
      const rendered = channel.renderReply(reply, callbackUrl)
      const { response, error } = parseVoiceXml(rendered.body)

      expect(rendered.contentType).toMatch(/^application\/xml/)
      expect(error).toBeNull()
      expect(response?.children).toHaveLength(reply.actions.length)
    })

    it('keeps text intact through escaping', () => {
      const rendered = channel.renderReply(replies[1]!.reply, callbackUrl)
      const { response } = parseVoiceXml(rendered.body)

      expect(response?.children[0]?.text).toBe(`Fish & chips <b>"now"</b> it's 5 > 4  done`)
    })

    it('puts the step in every callback URL', () => {
      const rendered = channel.renderReply(replies[2]!.reply, callbackUrl)
      const { response } = parseVoiceXml(rendered.body)
      const urls = (response?.children ?? []).flatMap((child) =>
        child.name === 'Redirect' ? [child.text] : [child.attributes['callbackUrl'] ?? ''],
      )

      expect(
        urls.filter((url) => url !== '').map((url) => new URL(url).searchParams.get('step')),
      ).toEqual(['3', '3'])
    })

    it('renders no actions for a final notification', () => {
      const rendered = channel.renderReply({ actions: [] }, callbackUrl)
      const { response, error } = parseVoiceXml(rendered.body)

      expect(error).toBeNull()
      expect(response?.children).toEqual([])
    })
  })
}
