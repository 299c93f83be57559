import type { OpenQuestion } from '../messaging/inbound/contacts.ts'
import type { SessionRecord } from '../store/session-store.ts'
import { storableContext } from './after-commit.ts'
import type { Effect } from './effects.ts'
import type { InputType } from './flow.ts'
import type { FlowCursor } from './flow-cursor.ts'
import { hashInput } from './input-hash.ts'

/** What started an SMS session or moved it last. */
export type SmsOrigin = 'keyword' | 'api' | 'call' | 'reply' | 'timer'

/** A question an SMS session sent, as kept on the contact until it is answered or replaced. */
export interface SmsQuestion extends OpenQuestion {
  /** Set when the screen takes typed input: a reply that picks no choice is that input. */
  readonly input?: InputType
  /** A few words that name the question when one reply could answer two ("appointment"). */
  readonly summary: string
}

/** State the SMS engine keeps beside the flow's snapshot. */
export interface SmsSessionState {
  readonly origin: SmsOrigin
  /** The question the session waits on; absent once it ended. */
  readonly question?: SmsQuestion
}

/** A session record of a flow run over SMS. */
export interface SmsSessionRecord extends SessionRecord {
  readonly sms: SmsSessionState
}

/** Returns the store key of one person's SMS session of one flow: `sms:<E.164>:<flow id>`. */
export function smsSessionKey(msisdn: string, flowId: string): string {
  return `sms:${msisdn}:${flowId}`
}

/** True for a session key of the SMS engine, including its scheduled starts. */
export function isSmsSessionKey(key: string): boolean {
  return key.startsWith('sms:') || key.startsWith(scheduledStartPrefix)
}

/** Prefix of the timer keys of flows started later through the flow API. */
export const scheduledStartPrefix = 'sms-start:'

/**
 * Builds the record that saves an SMS session where the cursor stands. The id of the message or
 * request that moved it is kept as a hash in `lastInputHash`, so handling that message again is
 * recognised as a repeat.
 */
export function smsSessionRecord(
  cursor: FlowCursor,
  fields: {
    readonly key: string
    readonly version: number
    readonly status: SessionRecord['status']
    readonly text: string
    readonly end: boolean
    readonly messageId: string
    readonly effects: readonly Effect[]
    readonly updatedAt: number
    readonly sms: SmsSessionState
  },
): SmsSessionRecord {
  return {
    key: fields.key,
    msisdn: cursor.session.msisdn,
    flowId: cursor.flow.id,
    flowVersion: cursor.flow.version,
    flowRevision: cursor.flow.revision,
    version: fields.version,
    status: fields.status,
    value: cursor.snapshot.value,
    context: storableContext(cursor),
    history: cursor.history,
    pages: cursor.pages,
    shown: cursor.shown,
    lastInputLength: fields.messageId.length,
    lastInputHash: hashInput(fields.messageId),
    lastReply: { end: fields.end, text: fields.text },
    updatedAt: fields.updatedAt,
    ...(fields.effects.length > 0 ? { pendingEffects: fields.effects } : {}),
    sms: fields.sms,
  }
}

/** True when `record` was last moved by the message or request `messageId`. */
export function movedBy(record: SessionRecord, messageId: string): boolean {
  return (
    record.lastInputLength === messageId.length && record.lastInputHash === hashInput(messageId)
  )
}
