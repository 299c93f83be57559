import { maskMsisdn } from '../text/phone.ts'

// Fields that hold phone numbers in Africa's Talking callbacks.
const phoneFields = new Set(['phoneNumber', 'from', 'to', 'callerNumber', 'destinationNumber'])
// Fields that can hold what the subscriber typed, PINs included.
const inputFields = new Set(['text', 'input', 'dtmfDigits', 'lastAppResponse'])

/** Renders a form body for the request log with phone numbers masked and typed input hidden. */
export function maskForm(body: string): Record<string, string> | undefined {
  if (body === '') return undefined
  const masked: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(body)) {
    if (phoneFields.has(name)) masked[name] = maskMsisdn(value.trim())
    else if (inputFields.has(name)) masked[name] = `[${value.length} characters hidden]`
    else masked[name] = value.slice(0, 200)
  }
  return masked
}
