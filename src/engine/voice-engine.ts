import { initialTransition } from 'xstate'
import type { Logger } from 'pino'
import { maskMsisdn } from '../text/phone.ts'
import type { SessionStore } from '../store/session-store.ts'
import { dispatchEffects, isStoreFailure, saveChosenLanguage } from './after-commit.ts'
import type { EffectSink } from './effects.ts'
import type { LocalizedText } from './flow.ts'
import { FlowCursor } from './flow-cursor.ts'
import type { FlowRegistry } from './flow-registry.ts'
import { localize } from './localize.ts'
import { restoreSnapshot, SnapshotMismatchError } from './restore-snapshot.ts'
import type { VoiceCallback } from './voice-call.ts'
import { finishCall } from './voice-finish.ts'
import type { VoiceMessages } from './voice-messages.ts'
import type { VoiceReply } from './voice-reply.ts'
import {
  acceptAnswer,
  applyVoiceDigits,
  isRecordScreen,
  type VoiceScreenSettings,
} from './voice-screen.ts'
import {
  voiceSessionKey,
  voiceSessionRecord,
  type VoiceCallState,
  type VoiceSessionRecord,
} from './voice-session.ts'
import { readAnswer } from './voice-answer.ts'
import { renderVoiceTurn, type VoiceTurn } from './voice-turn.ts'

export interface VoiceEngineOptions extends VoiceScreenSettings {
  readonly store: SessionStore
  readonly flows: FlowRegistry
  readonly effects: EffectSink
  readonly logger: Logger
  /** How long a call's session lives after its last callback. */
  readonly sessionTtlSeconds: number
  /** Milliseconds a callback may spend on flow tasks before the reply is sent. */
  readonly hopBudgetMs: number
  /** Language of the engine's own messages before a flow is known. */
  readonly defaultLanguage: string
  /** Silent callbacks in a row that get the prompt again. One more ends the call. */
  readonly maxSilentPrompts: number
  /** Invalid inputs in a row that get the prompt again. One more ends the call. */
  readonly maxInvalidPrompts: number
}

// A save that loses the version race reloads and tries again this many times.
const maxCommitAttempts = 4

/**
 * Runs voice calls on the same flows as USSD: loads the call's session, applies the keys pressed
 * or the recording made, moves the flow, saves with a version check, then dispatches effects. It
 * never throws: every failure becomes a spoken apology that ends the call.
 *
 * Voice callbacks carry no cumulative input, so retries are fenced by step: every callback URL in
 * a reply carries the session version it belongs to (`?step=3`). A callback with an older step, or a
 * repeated first callback (no step, session exists), gets the stored reply again and changes
 * nothing.
 */
export class VoiceEngine {
  constructor(private readonly options: VoiceEngineOptions) {}

  async handle(call: VoiceCallback): Promise<VoiceReply> {
    const key = voiceSessionKey(call.provider, call.sessionId)
    const logger = this.options.logger.child({
      sessionId: call.sessionId,
      msisdn: maskMsisdn(call.msisdn),
      channel: 'voice',
    })

    // The final notification expects no script, even when closing the session fails.
    if (!call.active) {
      await finishCall(key, call, this.options, logger).catch((error: unknown) => {
        logger.error({ err: error }, 'failed to close the call session')
      })
      return { actions: [] }
    }

    try {
      for (let attempt = 1; attempt <= maxCommitAttempts; attempt += 1) {
        const outcome = await this.attempt(key, call, logger)
        if (outcome !== 'conflict') return outcome
        logger.info({ attempt }, 'call session changed during the callback, retrying')
      }
      logger.warn('call session kept changing during the callback, giving up')
      return this.message('failure')
    } catch (error) {
      return this.failureReply(error, logger)
    }
  }

  private async attempt(
    key: string,
    call: VoiceCallback,
    logger: Logger,
  ): Promise<VoiceReply | 'conflict'> {
    const record = (await this.options.store.load(key)) as VoiceSessionRecord | null
    if (record === null) {
      if (call.step === undefined) return this.start(key, call, logger)
      logger.warn({ step: call.step }, 'callback for a call without a session, ending it')
      return this.message('callLost')
    }

    if (record.msisdn !== call.msisdn) {
      logger.warn({ owner: maskMsisdn(record.msisdn) }, 'call session id reused by another number')
      return this.message('notYourCall', record.context)
    }

    // Fencing: only a callback for the stored version may advance the session.
    if (call.step !== record.version || record.status !== 'active') {
      logger.info(
        { step: call.step ?? null, version: record.version, status: record.status },
        'repeated or stale callback, returning the stored reply',
      )
      // The first attempt may have saved and then stopped before its effects were queued.
      await dispatchEffects(this.options.effects, record.pendingEffects ?? [], logger)
      return record.voice.reply
    }

    return this.continue(record, call, logger)
  }

  private async start(
    key: string,
    call: VoiceCallback,
    logger: Logger,
  ): Promise<VoiceReply | 'conflict'> {
    // An unknown number gets a spoken apology and nothing after it, so the call ends. A <Reject/>
    // would sound like a network fault, and the caller would try again.
    const flow = this.options.flows.forVoiceNumber(call.line)
    if (flow === undefined) {
      logger.warn({ line: call.line }, 'no flow for this voice number')
      return this.message('unknownNumber')
    }

    const contact = await this.options.store.loadContact(call.msisdn)
    const language = contact?.language ?? flow.defaultLanguage
    const [snapshot] = initialTransition(flow.machine, { msisdn: call.msisdn, language })
    const cursor = new FlowCursor(
      flow,
      snapshot,
      { history: [], pages: [0], shown: 0 },
      { key, msisdn: call.msisdn, version: 0 },
    )
    if (flow.languageState !== undefined && contact?.language === undefined)
      cursor.jump(flow.languageState)

    logger.info(
      { flow: flow.id, revision: flow.revision, direction: call.direction },
      'call started',
    )
    await cursor.settle(call.receivedAt + this.options.hopBudgetMs, logger)
    const state: VoiceCallState = {
      line: call.line,
      direction: call.direction,
      silentPrompts: 0,
      invalidPrompts: 0,
      reply: { actions: [] },
    }
    return this.save(cursor, call, { key, version: 0 }, state, { kind: 'screen' }, logger)
  }

  private async continue(
    record: VoiceSessionRecord,
    call: VoiceCallback,
    logger: Logger,
  ): Promise<VoiceReply | 'conflict'> {
    const flow = this.options.flows.get(record.flowId, record.flowRevision)
    let snapshot
    try {
      if (flow === undefined)
        throw new SnapshotMismatchError(`flow "${record.flowId}" is no longer loaded`)
      snapshot = restoreSnapshot(flow, record)
    } catch (error) {
      if (!(error instanceof SnapshotMismatchError)) throw error
      logger.warn(
        { flow: record.flowId, storedVersion: record.flowVersion, reason: error.message },
        'stored call session does not match the current flow, ending it',
      )
      await this.options.store.remove(record.key)
      return this.message('flowUpdated', record.context)
    }

    const cursor = new FlowCursor(flow, snapshot, record, {
      key: record.key,
      msisdn: record.msisdn,
      version: record.version,
    })
    const step = { key: record.key, version: record.version }
    const next = await this.applyAnswer(cursor, call, record.voice, logger)
    if (next === 'repeat') {
      // Repeating the prompt changes nothing, so it is not saved and uses no retry.
      const session = this.turnSession(record.key, call, record.voice, record.version)
      return { actions: renderVoiceTurn(cursor, this.options, session, { kind: 'screen' }).actions }
    }
    return this.save(cursor, call, step, next.state, next.turn, logger)
  }

  /**
   * Applies what the caller gave to the screen and decides what they hear next. Silence and
   * invalid answers are counted separately, in a row: an invalid answer shows the caller is there
   * and resets the silence count, an accepted one resets both. One past either limit ends the
   * call with the options sent by SMS.
   */
  private async applyAnswer(
    cursor: FlowCursor,
    call: VoiceCallback,
    state: VoiceCallState,
    logger: Logger,
  ): Promise<{ state: VoiceCallState; turn: VoiceTurn } | 'repeat'> {
    const screen = cursor.meta().screen
    const answer = readAnswer(call, screen !== undefined && isRecordScreen(screen))
    if (answer.kind === 'digits' && answer.value === this.options.keys.repeat) return 'repeat'

    if (answer.kind === 'silent') {
      const silentPrompts = state.silentPrompts + 1
      const next = { ...state, silentPrompts }
      if (silentPrompts > this.options.maxSilentPrompts) {
        logger.info({ silentPrompts }, 'caller stayed silent, ending the call')
        return { state: next, turn: { kind: 'noInput' } }
      }
      // After a timeout the fallback already spoke the notice, so the reply does not repeat it.
      const notice = call.timedOut ? undefined : this.noInputNotice(cursor)
      return { state: next, turn: { kind: 'screen', notice } }
    }

    const accepted =
      answer.kind === 'recording'
        ? acceptAnswer(cursor, answer.value)
        : applyVoiceDigits(cursor, answer.value, this.options) === 'accepted'

    if (!accepted) {
      const invalidPrompts = state.invalidPrompts + 1
      const next = { ...state, silentPrompts: 0, invalidPrompts }
      if (invalidPrompts > this.options.maxInvalidPrompts) {
        logger.info({ invalidPrompts }, 'caller kept pressing invalid keys, ending the call')
        return { state: next, turn: { kind: 'noInput' } }
      }
      const notice = cursor.text(cursor.error ?? this.options.messages.invalidChoice)
      return { state: next, turn: { kind: 'screen', notice } }
    }

    await cursor.settle(call.receivedAt + this.options.hopBudgetMs, logger)
    return { state: { ...state, silentPrompts: 0, invalidPrompts: 0 }, turn: { kind: 'screen' } }
  }

  private turnSession(key: string, call: VoiceCallback, state: VoiceCallState, step: number) {
    return { key, msisdn: call.msisdn, line: state.line, step }
  }

  private noInputNotice(cursor: FlowCursor): string {
    const screen = cursor.meta().screen
    const menu = screen?.options !== undefined || screen?.list !== undefined
    return cursor.text(
      menu ? this.options.voiceMessages.noChoice : this.options.voiceMessages.noAnswer,
    )
  }

  /** Renders the turn, saves the session at `version + 1`, then runs its effects. */
  private async save(
    cursor: FlowCursor,
    call: VoiceCallback,
    { key, version }: { key: string; version: number },
    state: VoiceCallState,
    turn: VoiceTurn,
    logger: Logger,
  ): Promise<VoiceReply | 'conflict'> {
    const session = this.turnSession(key, call, state, version + 1)
    const rendered = renderVoiceTurn(cursor, this.options, session, turn)
    const reply: VoiceReply = { actions: rendered.actions }
    const voice = { ...state, reply, ...(rendered.outcome ? { outcome: rendered.outcome } : {}) }
    const record = voiceSessionRecord(
      cursor,
      {
        key,
        msisdn: call.msisdn,
        version: version + 1,
        status: rendered.status,
        updatedAt: call.receivedAt,
        voice,
      },
      cursor.effects,
    )

    if (!(await this.options.store.commit(record, this.options.sessionTtlSeconds)))
      return 'conflict'
    logger.info(
      {
        flow: cursor.flow.id,
        state: cursor.snapshot.value,
        version: record.version,
        status: record.status,
        outcome: rendered.outcome,
      },
      'call step answered',
    )

    // NOTE: the flow's `after` delays (cursor.timers) are not scheduled for calls, because the
    // input timeout and the silence limit decide when a waiting screen gives up on a call.
    await saveChosenLanguage(this.options.store, cursor, call.msisdn, logger)
    await dispatchEffects(this.options.effects, cursor.effects, logger)
    return reply
  }

  private failureReply(error: unknown, logger: Logger): VoiceReply {
    if (isStoreFailure(error)) {
      logger.error({ err: error }, 'session store unavailable')
      return this.message('unavailable')
    }
    logger.error({ err: error }, 'flow failed during the call')
    return this.message('failure')
  }

  /** Builds a spoken message that ends the call, in the session's language when there is one. */
  private message(name: keyof VoiceMessages, context?: Record<string, unknown>): VoiceReply {
    const language =
      typeof context?.['language'] === 'string' ? context['language'] : this.options.defaultLanguage
    const text: LocalizedText = this.options.voiceMessages[name]
    return {
      actions: [{ kind: 'say', text: localize(text, language, this.options.defaultLanguage) }],
    }
  }
}
