import { z } from 'zod'
import type { CallEnd, VoiceCallback } from '../../engine/voice-call.ts'
import type { VoiceAction, VoicePrompt, VoiceReply } from '../../engine/voice-reply.ts'
import { normalizeMsisdn } from '../../text/phone.ts'
import type { ParseResult } from '../ussd-channel.ts'
import type { VoiceChannel } from '../voice-channel.ts'
import { writeXmlDocument, type XmlElement } from './voice-xml.ts'

const required = (field: string) =>
  z
    .string({ error: `${field} is missing` })
    .trim()
    .min(1, `${field} is empty`)

// Fields as Africa's Talking sends them on voice callbacks ("Handle calls" in its voice docs).
// Others, such as callSessionState, callStartTime, callerCountryCode and callerCarrierName, come
// on newer traffic and are dropped here.
const callbackSchema = z.object({
  sessionId: required('sessionId').max(128, 'sessionId is longer than 128 characters'),
  callerNumber: required('callerNumber'),
  destinationNumber: required('destinationNumber'),
  // Sent on every request; a callback without it is treated as one of a live call.
  isActive: z
    .enum(['0', '1'], { error: 'isActive must be 0 (final notification) or 1 (live call)' })
    .default('1'),
  direction: z.string().optional(),
  dtmfDigits: z.string().optional(),
  recordingUrl: z.string().optional(),
  status: z.string().optional(),
  hangupCause: z.string().optional(),
  durationInSeconds: z.string().optional(),
  amount: z.string().optional(),
  currencyCode: z.string().optional(),
})

type CallbackFields = z.infer<typeof callbackSchema>

/** Africa's Talking voice: form fields in, voice XML out. */
export function createAfricasTalkingVoiceChannel(options: {
  defaultCountryCode: string
}): VoiceChannel {
  const problem = (message: string): ParseResult<never> => ({
    ok: false,
    problem: { status: 400, message },
  })

  return {
    provider: 'africastalking',

    parseCallback(fields, query, receivedAt): ParseResult<VoiceCallback> {
      const parsed = callbackSchema.safeParse(Object.fromEntries(fields))
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        return problem(
          `${issue?.message ?? 'invalid callback'}. Send sessionId, isActive, callerNumber and destinationNumber as form fields.`,
        )
      }

      const callback = parsed.data
      const msisdn = normalizeMsisdn(callback.callerNumber, options.defaultCountryCode)
      if (msisdn === null) {
        return problem(
          `callerNumber "${callback.callerNumber}" is not a phone number. Send it in international format, such as +254700000001.`,
        )
      }
      const line = normalizeMsisdn(callback.destinationNumber, options.defaultCountryCode)
      if (line === null) {
        return problem(
          `destinationNumber "${callback.destinationNumber}" is not a phone number. Send it in international format, such as +254711000000.`,
        )
      }

      const step = query.get('step')
      if (step !== null && !/^[1-9]\d{0,8}$/.test(step)) {
        return problem(
          `Query parameter step "${step}" is not a session step. Use the callback URL of the last reply.`,
        )
      }

      const active = callback.isActive === '1'
      return {
        ok: true,
        value: {
          provider: 'africastalking',
          sessionId: callback.sessionId,
          msisdn,
          line,
          direction: callback.direction?.toLowerCase() === 'outbound' ? 'outbound' : 'inbound',
          active,
          step: step === null ? undefined : Number(step),
          timedOut: query.get('timeout') === '1',
          digits: callback.dtmfDigits,
          recordingUrl: callback.recordingUrl,
          end: active ? undefined : callEnd(callback),
          receivedAt,
        },
      }
    },

    renderReply(reply: VoiceReply, callbackUrl: string) {
      const children = reply.actions.map((action) => actionElement(action, callbackUrl))
      return {
        contentType: 'application/xml; charset=utf-8',
        body: writeXmlDocument({ name: 'Response', children }),
      }
    },
  }
}

/** Reads the outcome and cost of a call; a value that is not a number is left out. */
function callEnd(callback: CallbackFields): CallEnd {
  return {
    status: callback.status,
    hangupCause: callback.hangupCause,
    durationSeconds: numberOrUndefined(callback.durationInSeconds),
    amount: numberOrUndefined(callback.amount),
    currencyCode: callback.currencyCode,
  }
}

function numberOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const number = Number(value)
  return Number.isFinite(number) ? number : undefined
}

function stepUrl(callbackUrl: string, step: number, timedOut = false): string {
  return `${callbackUrl}?step=${step}${timedOut ? '&timeout=1' : ''}`
}

function promptElement(prompt: VoicePrompt): XmlElement {
  if (prompt.kind === 'play') return { name: 'Play', attributes: { url: prompt.url } }
  return { name: 'Say', children: [prompt.text] }
}

function actionElement(action: VoiceAction, callbackUrl: string): XmlElement {
  switch (action.kind) {
    case 'say':
      return { name: 'Say', children: [action.text] }

    case 'play':
      return { name: 'Play', attributes: { url: action.url } }

    case 'getDigits':
      return {
        name: 'GetDigits',
        attributes: {
          numDigits: action.numDigits,
          finishOnKey: action.finishOnKey,
          timeout: action.timeoutSeconds,
          callbackUrl: stepUrl(callbackUrl, action.step),
        },
        children: [promptElement(action.prompt)],
      }

    case 'record':
      return {
        name: 'Record',
        attributes: {
          finishOnKey: action.finishOnKey,
          maxLength: action.maxLengthSeconds,
          trimSilence: true,
          playBeep: true,
          callbackUrl: stepUrl(callbackUrl, action.step),
        },
        children: [promptElement(action.prompt)],
      }

    case 'redirect':
      return { name: 'Redirect', children: [stepUrl(callbackUrl, action.step, true)] }
  }
}
