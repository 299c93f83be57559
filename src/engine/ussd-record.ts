import type { SessionRecord, SessionReply } from '../store/session-store.ts'
import { storableContext } from './after-commit.ts'
import type { Effect } from './effects.ts'
import type { FlowCursor } from './flow-cursor.ts'
import { hashInput } from './input-hash.ts'

/** Builds the record that saves a USSD session where the cursor stands. */
export function ussdRecord(
  cursor: FlowCursor,
  fields: {
    readonly key: string
    readonly msisdn: string
    readonly serviceCode: string
    readonly version: number
    readonly status: SessionRecord['status']
    readonly text: string
    readonly reply: SessionReply
    readonly effects: readonly Effect[]
    readonly updatedAt: number
  },
): SessionRecord {
  return {
    key: fields.key,
    msisdn: fields.msisdn,
    serviceCode: fields.serviceCode,
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
    lastInputLength: fields.text.length,
    lastInputHash: hashInput(fields.text),
    lastReply: fields.reply,
    updatedAt: fields.updatedAt,
    ...(fields.effects.length > 0 ? { pendingEffects: fields.effects } : {}),
  }
}
