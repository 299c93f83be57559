import type { SessionRecord } from '../store/session-store.ts'
import { storableContext } from './after-commit.ts'
import type { Effect } from './effects.ts'
import type { FlowCursor } from './flow-cursor.ts'
import type { CallEnd } from './voice-call.ts'
import { spokenText, type VoiceReply } from './voice-reply.ts'

/** Outcome of a call's session, for logs and reports. */
export type CallOutcome = 'completed' | 'sms-handoff' | 'no-input' | 'hung-up' | 'not-answered'

/** State the voice engine keeps about a call beside the flow's snapshot. */
export interface VoiceCallState {
  /** E.164 number of the line the call is on. */
  readonly line: string
  readonly direction: 'inbound' | 'outbound'
  /** Callbacks in a row on the current screen that brought no keys or recording. */
  readonly silentPrompts: number
  /** Callbacks in a row on the current screen whose keys the screen rejected. */
  readonly invalidPrompts: number
  /** The last reply, returned again for a repeated or stale callback. */
  readonly reply: VoiceReply
  readonly outcome?: CallOutcome
  /** Set by the final notification; a second one finds it and changes nothing. */
  readonly ended?: CallEnd & { readonly at: number }
}

/**
 * A session record of a call. Stores keep a record as the engine gives it, so the `voice` field
 * comes back on load.
 */
export interface VoiceSessionRecord extends SessionRecord {
  readonly voice: VoiceCallState
}

/** Returns the store key of a call's session: `<provider>-voice:<sessionId>`. */
export function voiceSessionKey(provider: string, sessionId: string): string {
  return `${provider}-voice:${sessionId}`
}

/**
 * Builds the record that saves a call's session at the cursor's state, without the flow's
 * sensitive answers, and with the effects to dispatch again if a retried callback finds them.
 */
export function voiceSessionRecord(
  cursor: FlowCursor,
  fields: Pick<VoiceSessionRecord, 'key' | 'msisdn' | 'version' | 'status' | 'updatedAt' | 'voice'>,
  effects: readonly Effect[],
): VoiceSessionRecord {
  return {
    ...fields,
    serviceCode: fields.voice.line,
    flowId: cursor.flow.id,
    flowVersion: cursor.flow.version,
    flowRevision: cursor.flow.revision,
    value: cursor.snapshot.value,
    context: storableContext(cursor),
    history: cursor.history,
    pages: cursor.pages,
    shown: cursor.shown,
    // Voice callbacks carry no cumulative input; the step in the callback URL fences retries.
    lastInputLength: 0,
    lastInputHash: '',
    lastReply: { end: fields.status !== 'active', text: spokenText(fields.voice.reply) },
    ...(effects.length > 0 ? { pendingEffects: effects } : {}),
  }
}
