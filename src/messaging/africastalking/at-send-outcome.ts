import {
  failureCodeForHttpStatus,
  sendFailure,
  type SendFailureCode,
  type SendOutcome,
} from '../sms-sender.ts'
import type { AtRecipient, AtSendResponse } from './at-sdk.ts'

/** Result of one `SMS.send` call: the SDK's resolved value, or the reason it rejected with. */
export type AtSendResult =
  | { readonly ok: true; readonly response: AtSendResponse; readonly to: string }
  | { readonly ok: false; readonly error: unknown; readonly timeoutMs: number }

// Recipient statuses of the Africa's Talking SMS API, with the status codes that accompany
// them (403 InvalidPhoneNumber, 406 UserInBlacklist, 500 InternalServerError, ...). Compared in
// lower case because the API writes "UserInBlacklist" here and "UserInBlackList" in reports.
const recipientStatusCodes: Record<string, SendFailureCode> = {
  invalidphonenumber: 'invalid-recipient',
  unsupportednumbertype: 'invalid-recipient',
  userinblacklist: 'blocked',
  donotdisturbrejection: 'blocked',
  riskhold: 'rejected',
  invalidsenderid: 'rejected',
  insufficientbalance: 'rejected',
  couldnotroute: 'rejected',
  rejectedbygateway: 'rejected',
  internalservererror: 'server-error',
  gatewayerror: 'server-error',
}

// Error codes that Node and axios give a request that timed out or was aborted.
const timeoutErrorCodes = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED'])

// Maximum length of a provider's error body copied into a reason, in characters.
const maxBodyInReason = 200

/**
 * Maps the result of one Africa's Talking send onto the closed `SendOutcome` set: the 201 body's
 * recipient status, an HTTP error status, a timeout, a connection failure or the SDK's own
 * validation error.
 */
export function mapAtSendResult(result: AtSendResult): SendOutcome {
  if (result.ok) return outcomeFromResponse(result.response, result.to)
  return outcomeFromError(result.error, result.timeoutMs)
}

function outcomeFromResponse(response: AtSendResponse, to: string): SendOutcome {
  const data = response?.SMSMessageData
  const recipients = data?.Recipients
  if (!Array.isArray(recipients)) {
    return sendFailure('invalid-response', 'HTTP 201 without SMSMessageData.Recipients')
  }

  // An empty list comes with the reason in Message, e.g. "InvalidSenderId".
  const recipient = recipients.find((r) => r.number === to) ?? recipients[0]
  if (recipient === undefined) {
    return sendFailure('rejected', `no recipient accepted: ${data?.Message ?? 'no message'}`)
  }
  return outcomeFromRecipient(recipient)
}

function outcomeFromRecipient(recipient: AtRecipient): SendOutcome {
  const status = recipient.status ?? 'missing status'
  const messageId =
    recipient.messageId && recipient.messageId !== 'None' ? recipient.messageId : undefined

  if (status === 'Success') {
    if (messageId === undefined)
      return sendFailure('invalid-response', 'Success without a messageId')
    return { status: 'sent', messageId, ...(recipient.cost ? { cost: recipient.cost } : {}) }
  }

  const code =
    recipientStatusCodes[status.toLowerCase()] ??
    ((recipient.statusCode ?? 0) >= 500 ? 'server-error' : 'rejected')
  const reason = `recipient status ${status} (${recipient.statusCode ?? 'no code'})`
  return sendFailure(code, reason, messageId === undefined ? {} : { messageId })
}

function outcomeFromError(error: unknown, timeoutMs: number): SendOutcome {
  if (isAxiosError(error)) return outcomeFromAxiosError(error, timeoutMs)

  // The SDK validates before any request and rejects with a plain Error ("to must be a valid
  // phone number; ") or, for a 2xx other than 201, with the response body itself.
  if (error instanceof Error) {
    const code = /phone number/i.test(error.message) ? 'invalid-recipient' : 'rejected'
    return sendFailure(code, `request rejected by the SDK: ${error.message.trim()}`)
  }
  return sendFailure('invalid-response', `unexpected answer: ${snippet(error)}`)
}

interface AxiosErrorLike {
  isAxiosError: true
  code?: string
  message: string
  response?: { status: number; data?: unknown; headers?: Record<string, unknown> }
}

function isAxiosError(error: unknown): error is AxiosErrorLike {
  return typeof error === 'object' && error !== null && 'isAxiosError' in error
}

function outcomeFromAxiosError(error: AxiosErrorLike, timeoutMs: number): SendOutcome {
  const response = error.response
  if (response !== undefined) {
    const code = failureCodeForHttpStatus(response.status)
    const reason = `HTTP ${response.status}: ${snippet(response.data)}`
    const retryAfterMs = parseRetryAfter(response.headers?.['retry-after'])
    return sendFailure(code, reason, retryAfterMs === undefined ? {} : { retryAfterMs })
  }

  if (error.code !== undefined && timeoutErrorCodes.has(error.code)) {
    return sendFailure('timeout', `no answer within ${timeoutMs} ms`)
  }
  return sendFailure('network', `connection failed: ${error.code ?? error.message}`)
}

/** Reads `Retry-After` in its seconds form; the HTTP-date form is rare for APIs and ignored. */
function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) return undefined
  return Number(value.trim()) * 1000
}

function snippet(body: unknown): string {
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? String(body))
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > maxBodyInReason ? `${oneLine.slice(0, maxBodyInReason)}...` : oneLine
}
