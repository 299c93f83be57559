import { normalizeMsisdn } from '../text/phone.ts'
import type { InputSpec, LocalizedText } from './flow.ts'
import type { EngineMessages } from './messages.ts'

export type AnswerCheck =
  | { readonly ok: true; readonly value: string | number }
  | { readonly ok: false; readonly error: LocalizedText }

const defaultTextLength = { min: 1, max: 100 }
const defaultPinLength = 4

/**
 * Checks a typed answer against its input declaration and returns the value the flow receives:
 * trimmed text, an integer, an E.164 phone number or the PIN digits.
 */
export function checkAnswer(
  spec: InputSpec,
  raw: string,
  messages: EngineMessages,
  defaultCountryCode: string,
): AnswerCheck {
  const answer = raw.trim().replace(/\s+/g, ' ')
  const reject = (fallback: LocalizedText): AnswerCheck => ({
    ok: false,
    error: spec.error ?? fallback,
  })

  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(answer)) {
    return reject(messages.invalidText)
  }

  switch (spec.type) {
    case 'text': {
      const min = spec.min ?? defaultTextLength.min
      const max = spec.max ?? defaultTextLength.max
      if (answer.length < min || answer.length > max) return reject(messages.invalidText)
      return { ok: true, value: answer }
    }

    case 'number': {
      const digits = answer.replace(/[ ,]/g, '')
      if (!/^\d{1,12}$/.test(digits)) return reject(messages.invalidNumber)
      const value = Number(digits)
      if (spec.min !== undefined && value < spec.min) return reject(messages.invalidNumber)
      if (spec.max !== undefined && value > spec.max) return reject(messages.invalidNumber)
      return { ok: true, value }
    }

    case 'phone': {
      const msisdn = normalizeMsisdn(answer, defaultCountryCode)
      if (msisdn === null) return reject(messages.invalidPhone)
      return { ok: true, value: msisdn }
    }

    case 'pin': {
      const min = spec.min ?? defaultPinLength
      const max = spec.max ?? spec.min ?? defaultPinLength
      const valid = /^\d+$/.test(answer) && answer.length >= min && answer.length <= max
      if (!valid) return reject(messages.invalidPin)
      return { ok: true, value: answer }
    }
  }
}
