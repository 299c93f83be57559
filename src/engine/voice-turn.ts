import type { FlowCursor } from './flow-cursor.ts'
import type { SessionRecord } from '../store/session-store.ts'
import type { VoiceAction } from './voice-reply.ts'
import {
  asSpeech,
  pageOptionLines,
  renderVoiceScreen,
  type VoiceScreenSettings,
} from './voice-screen.ts'
import type { CallOutcome } from './voice-session.ts'

/** Next step the engine chose for the caller after a callback. */
export type VoiceTurn =
  /** Read the screen (after an optional notice), or end the call when the flow is done. */
  | { readonly kind: 'screen'; readonly notice?: string }
  /** End the call after too many silent or invalid answers, and send the options by SMS. */
  | { readonly kind: 'noInput' }

export interface RenderedTurn {
  readonly actions: VoiceAction[]
  readonly status: SessionRecord['status']
  readonly outcome?: CallOutcome
}

/** The call a turn belongs to. */
export interface VoiceTurnSession {
  readonly key: string
  /** E.164 number of the caller. */
  readonly msisdn: string
  /** E.164 number of the line, for texts that tell the caller where to call. */
  readonly line: string
  /** Session version the reply's callback URLs carry. */
  readonly step: number
}

/**
 * Renders what the caller hears next. A final state is read and ends the call; a text input with
 * `voice.freeText: sms` hands the question over to SMS and ends the call; any other screen waits
 * for the caller's keys.
 */
export function renderVoiceTurn(
  cursor: FlowCursor,
  settings: VoiceScreenSettings,
  session: VoiceTurnSession,
  turn: VoiceTurn,
): RenderedTurn {
  const messages = settings.voiceMessages
  if (turn.kind === 'noInput') return endWithOptionsSms(cursor, settings, session)

  if (cursor.done) {
    const end = cursor.meta().end
    const text = end === undefined ? '' : asSpeech(cursor.text(end.text))
    const say = text === '' ? cursor.text(messages.goodbye) : text
    return { actions: [{ kind: 'say', text: say }], status: 'done', outcome: 'completed' }
  }

  const screen = cursor.meta().screen
  if (screen?.voice?.freeText === 'sms') return handOverToSms(cursor, settings, session)

  const actions = renderVoiceScreen(cursor, settings, session.step, turn.notice)
  return { actions, status: 'active' }
}

/**
 * Ends the voice part of a text question: the caller hears that an SMS follows, and the session
 * keeps the state with `handoff: 'sms'` in its context.
 */
function handOverToSms(
  cursor: FlowCursor,
  settings: VoiceScreenSettings,
  session: VoiceTurnSession,
): RenderedTurn {
  const screen = cursor.meta().screen
  const question = screen === undefined ? '' : cursor.text(screen.prompt)
  cursor.snapshot = cursor.machine.resolveState({
    value: cursor.snapshot.value,
    context: { ...cursor.context, handoff: 'sms' },
  })

  // With two-way SMS running, the effect starts an SMS session at this state, which sends the
  // question and takes the reply (see SmsHandoverSink). Without it, the SMS only asks.
  cursor.effects.push({
    kind: 'sms',
    to: session.msisdn,
    text: question,
    idempotencyKey: `${session.key}:${session.step}:sms-handoff`,
    sessionKey: session.key,
    flowId: cursor.flow.id,
    continueOnSms: true,
  })
  const say = cursor.text(settings.voiceMessages.smsHandoff)
  return { actions: [{ kind: 'say', text: say }], status: 'done', outcome: 'sms-handoff' }
}

/** Says goodbye and sends the prompt and the options that were read, by SMS. */
function endWithOptionsSms(
  cursor: FlowCursor,
  settings: VoiceScreenSettings,
  session: VoiceTurnSession,
): RenderedTurn {
  const screen = cursor.meta().screen
  const prompt = screen === undefined ? '' : cursor.text(screen.prompt)
  const text = cursor.text(settings.voiceMessages.optionsSms, {
    prompt,
    options: pageOptionLines(cursor, settings).join('\n'),
    line: session.line,
  })

  cursor.effects.push({
    kind: 'sms',
    to: session.msisdn,
    text: text.replace(/\n{2,}/g, '\n').trim(),
    idempotencyKey: `${session.key}:${session.step}:no-input`,
    sessionKey: session.key,
    flowId: cursor.flow.id,
    category: 'notification',
  })
  const say = cursor.text(settings.voiceMessages.goodbyeNoInput)
  return { actions: [{ kind: 'say', text: say }], status: 'dropped', outcome: 'no-input' }
}
