import { initialTransition } from 'xstate'
import type { Logger } from 'pino'
import { contactChanges, isOptedOut } from '../messaging/inbound/contact-changes.ts'
import type { Contact, ContactStore } from '../messaging/inbound/contacts.ts'
import type { SessionRecord, SessionStore, TimerRecord } from '../store/session-store.ts'
import { maskMsisdn } from '../text/phone.ts'
import { dispatchEffects, scheduleTimers } from './after-commit.ts'
import type { Effect, EffectSink, SmsCategory, SmsEffect } from './effects.ts'
import type { Flow } from './flow.ts'
import { FlowCursor, FlowError } from './flow-cursor.ts'
import type { FlowRegistry } from './flow-registry.ts'
import { hashInput } from './input-hash.ts'
import { localize } from './localize.ts'
import { truncate } from './render-ussd-screen.ts'
import { restoreSnapshot, SnapshotMismatchError } from './restore-snapshot.ts'
import { applySmsAnswer, renderSms, type SmsAnswer, type SmsScreenSettings } from './sms-screen.ts'
import {
  movedBy,
  scheduledStartPrefix,
  smsSessionKey,
  smsSessionRecord,
  type SmsOrigin,
  type SmsQuestion,
  type SmsSessionRecord,
} from './sms-session.ts'

export interface SmsEngineOptions extends SmsScreenSettings {
  readonly store: SessionStore
  readonly contacts: ContactStore
  readonly flows: FlowRegistry
  /** Sink of the SMS: the outbox, behind the contact history. */
  readonly effects: EffectSink
  readonly logger: Logger
  /** Language of the engine's own texts when the session has none. */
  readonly defaultLanguage: string
  /** Seconds a question waits for its reply (`SMS_QUESTION_TTL_HOURS`). */
  readonly questionTtlSeconds: number
  /** Milliseconds the tasks of one step may take. */
  readonly hopBudgetMs: number
  readonly taskTimeoutMs: number
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
}

export type SmsStepStatus =
  /** The flow sent a question and waits for the reply. */
  | 'waiting'
  | 'done'
  | 'cancelled'
  /** This message or request moved the session already; its SMS were queued again. */
  | 'repeat'
  /** The reply did not fit the screen, which was sent again with the reason. */
  | 'rejected'
  /** Not started: the person opted out, and a flow they did not ask for would be unsolicited. */
  | 'opted-out'
  /** The question is no longer the one the session waits on, or the session is gone. */
  | 'stale'
  | 'unknown-flow'
  /** The flow failed (a task without a handler, a loop); the person got the failure SMS. */
  | 'failed'

export interface SmsStepResult {
  readonly status: SmsStepStatus
  readonly sessionKey?: string
  readonly flowId?: string
}

export interface SmsStartRequest {
  /** E.164. */
  readonly msisdn: string
  readonly flowId: string
  /** Values added to the flow's context (an appointment's clinic, day and time). */
  readonly context?: Readonly<Record<string, unknown>>
  readonly origin: 'keyword' | 'api'
  /** Id of the message or request that starts it; handling it twice starts the flow once. */
  readonly messageId: string
}

interface Prepared {
  readonly cursor: FlowCursor
  /** Version of the stored session the step builds on; 0 for none. */
  readonly version: number
  readonly origin: SmsOrigin
  readonly messageId: string
  readonly cancelled?: boolean
}

/** The event of a timer that starts a flow at the time the flow API was given. */
export const scheduledStartEvent = 'SMS.START'

// A save that loses the version race reloads and tries again this many times.
const maxCommitAttempts = 4
// A session outlives its question by a day, so a reply just before the question expires still
// finds it, and so do `after` timers shorter than the question's lifetime plus a day.
const sessionGraceSeconds = 24 * 60 * 60

/**
 * Runs flows over SMS with the declarations USSD uses: each screen goes out as one SMS ("Reply 1
 * for Book, 2 for ..."), and the reply, matched by the inbound handler to the question it
 * answers, moves the flow. Sessions are keyed `sms:<E.164>:<flow id>` and saved with the store's
 * versioned compare-and-set. Each question is recorded on the contact; the `after` delays of a
 * flow become durable timers that `fireTimer` applies.
 */
export class SmsEngine {
  private readonly now: () => number

  constructor(private readonly options: SmsEngineOptions) {
    this.now = options.now ?? Date.now
  }

  /** Starts a flow for one person, replacing a session of the same flow they may have. */
  async start(request: SmsStartRequest): Promise<SmsStepResult> {
    const flow = this.options.flows.get(request.flowId)
    if (flow === undefined) return { status: 'unknown-flow', flowId: request.flowId }

    const key = smsSessionKey(request.msisdn, flow.id)
    const logger = this.loggerFor(key, request.msisdn)
    const contact = await this.options.contacts.get(request.msisdn)
    if (request.origin === 'api' && isOptedOut(contact)) {
      logger.info({ flow: flow.id }, 'sms flow not started: the person opted out')
      return { status: 'opted-out', sessionKey: key, flowId: flow.id }
    }

    return this.step(key, logger, async (record) => {
      if (record !== null && movedBy(record, request.messageId)) return this.repeat(record, logger)

      const version = record?.version ?? 0
      const cursor = this.freshCursor(flow, key, request, contact, version)
      await cursor.settle(Date.now() + this.options.hopBudgetMs, logger, 'fail')
      logger.info({ flow: flow.id, origin: request.origin }, 'sms flow started')
      return { cursor, version, origin: request.origin, messageId: request.messageId }
    })
  }

  /**
   * Applies a reply to the question it answers. A question the session no longer waits on is
   * `stale`, and nothing changes.
   */
  async answer(question: SmsQuestion, answer: SmsAnswer, messageId: string) {
    const logger = this.loggerFor(question.sessionKey, undefined)

    return this.step(question.sessionKey, logger, async (record) => {
      if (record === null) return { status: 'stale' }
      if (movedBy(record, messageId)) return this.repeat(record, logger)
      if (record.status !== 'active' || record.sms?.question?.id !== question.id) {
        return { status: 'stale', sessionKey: record.key, flowId: record.flowId }
      }

      const cursor = this.restore(record, logger)
      if (cursor === undefined) return { status: 'stale', sessionKey: record.key }

      const outcome = applySmsAnswer(cursor, answer, this.options)
      const prepared = { cursor, version: record.version, origin: 'reply' as const, messageId }
      if (outcome === 'cancel') return { ...prepared, cancelled: true }
      if (outcome === 'rejected') {
        await this.sendScreen(cursor, record, messageId, logger)
        return { status: 'rejected', sessionKey: record.key, flowId: record.flowId }
      }

      await cursor.settle(Date.now() + this.options.hopBudgetMs, logger, 'fail')
      return prepared
    })
  }

  /** Sends the question again after a reply that matched none of its choices. */
  async reprompt(question: SmsQuestion, messageId: string): Promise<SmsStepResult> {
    const logger = this.loggerFor(question.sessionKey, undefined)
    const record = (await this.options.store.load(question.sessionKey)) as SmsSessionRecord | null
    if (record === null || record.status !== 'active' || record.sms?.question?.id !== question.id) {
      return { status: 'stale' }
    }

    const cursor = this.restore(record, logger)
    if (cursor === undefined) return { status: 'stale' }
    cursor.error = this.options.smsMessages.notAChoice
    await this.sendScreen(cursor, record, messageId, logger)
    return { status: 'rejected', sessionKey: record.key, flowId: record.flowId }
  }

  /**
   * Ends every SMS session of a person that waits for a reply, without a message, as an opt-out
   * does. Their timers stop applying, because the version moves on. Returns how many ended.
   */
  async cancelAll(msisdn: string, reason: string, sessionKeys: readonly string[] = []) {
    const keys = new Set(sessionKeys.filter((key) => key.startsWith('sms:')))
    for (const flow of this.options.flows.all()) keys.add(smsSessionKey(msisdn, flow.id))

    let cancelled = 0
    for (const key of keys) {
      if (await this.cancelSession(key, msisdn, reason)) cancelled += 1
    }
    return cancelled
  }

  /**
   * Continues on SMS a call that handed its free-text question over: starts an SMS session from
   * the call's stored state, which sends the question and records it, so the reply answers it.
   */
  async continueCall(effect: SmsEffect): Promise<SmsStepResult> {
    const call = await this.options.store.load(effect.sessionKey)
    const flow = call === null ? undefined : this.options.flows.get(call.flowId, call.flowRevision)
    if (call === null || flow === undefined) return { status: 'stale' }

    const key = smsSessionKey(call.msisdn, flow.id)
    const logger = this.loggerFor(key, call.msisdn)
    return this.step(key, logger, async (record) => {
      if (record !== null && movedBy(record, effect.idempotencyKey)) {
        return this.repeat(record, logger)
      }

      const snapshot = restoreSnapshot(flow, call)
      const navigation = { history: [], pages: [0], shown: 0 }
      const version = record?.version ?? 0
      const session = { key, msisdn: call.msisdn, version }
      const cursor = new FlowCursor(flow, snapshot, navigation, session)
      cursor.taskTimeoutMs = this.options.taskTimeoutMs
      logger.info({ flow: flow.id, call: effect.sessionKey }, 'call continued over sms')
      return { cursor, version, origin: 'call', messageId: effect.idempotencyKey }
    })
  }

  /** Keeps a flow start for `dueAt` (milliseconds since the epoch) as a durable timer. */
  async scheduleStart(request: Omit<SmsStartRequest, 'origin' | 'messageId'>, dueAt: number) {
    const sessionKey = `${scheduledStartPrefix}${request.msisdn}:${request.flowId}`
    await this.options.store.scheduleTimer({
      // The same number, flow and time keep one timer, so a repeated API call schedules once.
      id: `${sessionKey}:${dueAt}`,
      sessionKey,
      version: 0,
      event: {
        type: scheduledStartEvent,
        msisdn: request.msisdn,
        flowId: request.flowId,
        context: request.context ?? {},
      },
      dueAt,
    })
  }

  /** Fires a timer of an SMS session (an `after` delay) or a scheduled start. */
  async fireTimer(timer: TimerRecord, now: number): Promise<void> {
    if (timer.sessionKey.startsWith(scheduledStartPrefix)) {
      await this.startScheduled(timer)
      return
    }

    const logger = this.loggerFor(timer.sessionKey, undefined).child({ timer: timer.event.type })
    await this.step(
      timer.sessionKey,
      logger,
      async (record) => {
        if (record === null || record.version !== timer.version || record.status !== 'active') {
          logger.debug('timer is stale, dropping it')
          return { status: 'stale' }
        }

        const cursor = this.restore(record, logger)
        if (cursor === undefined || !cursor.send(timer.event)) return { status: 'stale' }
        await cursor.settle(Date.now() + this.options.taskTimeoutMs, logger, 'fail')
        logger.info({ flow: record.flowId, state: cursor.snapshot.value }, 'sms flow timer fired')
        return { cursor, version: record.version, origin: 'timer', messageId: timer.id }
      },
      now,
    )
  }

  private async startScheduled(timer: TimerRecord): Promise<void> {
    const { msisdn, flowId, context } = timer.event as {
      msisdn?: unknown
      flowId?: unknown
      context?: unknown
    }
    if (typeof msisdn !== 'string' || typeof flowId !== 'string') return

    const result = await this.start({
      msisdn,
      flowId,
      context: typeof context === 'object' && context !== null ? (context as never) : {},
      origin: 'api',
      messageId: timer.id,
    })
    this.options.logger.info(
      { flow: flowId, msisdn: maskMsisdn(msisdn), status: result.status },
      'scheduled sms flow start fired',
    )
  }

  private async step(
    key: string,
    logger: Logger,
    prepare: (record: SmsSessionRecord | null) => Promise<Prepared | SmsStepResult>,
    now: number = this.now(),
  ): Promise<SmsStepResult> {
    for (let attempt = 1; attempt <= maxCommitAttempts; attempt += 1) {
      const record = (await this.options.store.load(key)) as SmsSessionRecord | null
      let prepared: Prepared | SmsStepResult
      try {
        prepared = await prepare(record)
      } catch (error) {
        if (!(error instanceof FlowError)) throw error
        return this.fail(key, record, error, logger)
      }
      if (!('cursor' in prepared)) return prepared

      const result = await this.save(prepared, key, now, logger)
      if (result !== 'conflict') return result
      logger.info({ attempt }, 'sms session changed during the step, retrying')
    }
    logger.warn('sms session kept changing, giving up')
    return { status: 'stale', sessionKey: key }
  }

  /** Renders the step's SMS, saves the session at `version + 1`, then runs what follows a save. */
  private async save(prepared: Prepared, key: string, now: number, logger: Logger) {
    const { cursor, version, origin, messageId } = prepared
    const category = categoryOf(origin)
    const rendered = prepared.cancelled
      ? { end: true, text: cursor.text(this.options.smsMessages.cancelled), choices: [] }
      : renderSms(cursor, this.options)
    const status = sessionStatus(cursor, prepared.cancelled === true)

    const effects: Effect[] = prepared.cancelled
      ? []
      : cursor.effects.map((effect) => ({ ...effect, category }))
    if (rendered.text !== '') {
      effects.push(this.smsEffect(cursor, `${key}:${version + 1}:reply`, rendered.text, category))
    }

    const question =
      status === 'active' ? this.question(cursor, key, version + 1, rendered, now) : undefined
    const record = smsSessionRecord(cursor, {
      key,
      version: version + 1,
      status,
      text: rendered.text,
      end: rendered.end,
      messageId,
      effects,
      updatedAt: now,
      sms: { origin, ...(question === undefined ? {} : { question }) },
    })
    if (!(await this.options.store.commit(record, this.sessionTtlSeconds()))) return 'conflict'

    logger.info(
      { flow: cursor.flow.id, state: cursor.snapshot.value, version: record.version, status },
      'sms step saved',
    )
    await this.updateContact(record, now, true, logger)
    if (!prepared.cancelled) await scheduleTimers(this.options.store, cursor, record, now, logger)
    await dispatchEffects(this.options.effects, effects, logger)

    return { status: stepStatus(status), sessionKey: key, flowId: cursor.flow.id }
  }

  /**
   * Tells the person a flow failed, once per session version, and leaves the session as it was,
   * so a retry after the flow is fixed can go on.
   */
  private async fail(
    key: string,
    record: SmsSessionRecord | null,
    error: FlowError,
    logger: Logger,
  ): Promise<SmsStepResult> {
    logger.error({ err: error }, 'sms flow failed')
    const msisdn = key.split(':')[1] ?? ''
    const flow = this.options.flows.get(record?.flowId ?? '')
    const fallback = flow?.defaultLanguage ?? this.options.defaultLanguage
    const saved = record?.context['language']
    const language = typeof saved === 'string' ? saved : fallback
    const text = localize(this.options.messages.failure, language, fallback)
    const effect: SmsEffect = {
      kind: 'sms',
      to: msisdn,
      text,
      idempotencyKey: `${key}:${record?.version ?? 0}:failed`,
      sessionKey: key,
      flowId: record?.flowId ?? '',
      category: 'transactional',
    }
    await dispatchEffects(this.options.effects, [effect], logger)
    return { status: 'failed', sessionKey: key }
  }

  /** Handles a message that moved the session already: the contact and SMS, again. */
  private async repeat(record: SmsSessionRecord, logger: Logger): Promise<SmsStepResult> {
    logger.info('message already applied to the sms session, queueing its sms again')
    await this.updateContact(record, this.now(), false, logger)
    await dispatchEffects(this.options.effects, record.pendingEffects ?? [], logger)
    return { status: 'repeat', sessionKey: record.key, flowId: record.flowId }
  }

  /**
   * Replaces the session's question on the contact with the one it waits on now, if any, keeps a
   * language picked on a language screen, and records the session's end. A failure is logged,
   * because the step is already saved.
   */
  private async updateContact(
    record: SmsSessionRecord,
    now: number,
    recordEnd: boolean,
    logger: Logger,
  ): Promise<void> {
    const question = record.sms?.question
    const ended = record.status !== 'active'
    const language = record.context['language']
    const chosen = record.context['languageChosen'] === true && typeof language === 'string'
    try {
      await this.options.contacts.update(record.msisdn, (contact) => {
        let next = contactChanges.closeSessionQuestions(contact, record.key)
        if (question !== undefined) next = contactChanges.askQuestion(next, question)
        if (chosen) next = contactChanges.setLanguage(next, language)
        if (ended && recordEnd) {
          next = contactChanges.recordEvent(next, {
            kind: 'session',
            channel: 'sms',
            at: now,
            ref: record.key,
            outcome: record.status,
          })
        }
        return next
      })
    } catch (error) {
      logger.error({ err: error }, 'failed to record the sms question on the contact')
    }
  }

  private async cancelSession(key: string, msisdn: string, reason: string): Promise<boolean> {
    const logger = this.loggerFor(key, msisdn)
    for (let attempt = 1; attempt <= maxCommitAttempts; attempt += 1) {
      const record = (await this.options.store.load(key)) as SmsSessionRecord | null
      if (record === null || record.msisdn !== msisdn || record.status !== 'active') return false

      const { pendingEffects: _sent, ...rest } = record
      const cancelled: SmsSessionRecord = {
        ...rest,
        version: record.version + 1,
        status: 'dropped',
        updatedAt: this.now(),
        sms: { origin: record.sms?.origin ?? 'reply' },
      }
      if (await this.options.store.commit(cancelled, this.sessionTtlSeconds())) {
        logger.info({ flow: record.flowId, reason }, 'sms session cancelled')
        return true
      }
    }
    logger.warn('sms session kept changing while it was being cancelled')
    return false
  }

  /** Sends the screen the session waits on, with the error line the cursor holds, unsaved. */
  private async sendScreen(
    cursor: FlowCursor,
    record: SmsSessionRecord,
    messageId: string,
    logger: Logger,
  ) {
    const rendered = renderSms(cursor, this.options)
    const key = `${record.key}:${record.version}:again:${hashInput(messageId)}`
    const effect = this.smsEffect(cursor, key, rendered.text, 'transactional')
    logger.info({ flow: record.flowId, state: record.value }, 'sms reply rejected, asking again')
    await dispatchEffects(this.options.effects, [effect], logger)
  }

  private freshCursor(
    flow: Flow,
    key: string,
    request: SmsStartRequest,
    contact: Contact | null,
    version: number,
  ): FlowCursor {
    const extra = { ...request.context }
    const asked = typeof extra['language'] === 'string' ? extra['language'] : undefined
    const language = asked ?? contact?.language ?? flow.defaultLanguage
    const [snapshot, actions] = initialTransition(flow.machine, {
      msisdn: request.msisdn,
      language,
    })

    const navigation = { history: [], pages: [0], shown: 0 }
    const cursor = new FlowCursor(flow, snapshot, navigation, {
      key,
      msisdn: request.msisdn,
      version,
    })
    // The added values must be in place before the first state's SMS are rendered. A flow's
    // language screen is skipped: over SMS the saved or default language is used.
    const context = { ...cursor.context, ...extra, msisdn: request.msisdn, language }
    cursor.snapshot = flow.machine.resolveState({ value: snapshot.value, context })
    cursor.absorb(actions)
    cursor.taskTimeoutMs = this.options.taskTimeoutMs
    return cursor
  }

  private restore(record: SmsSessionRecord, logger: Logger): FlowCursor | undefined {
    const flow = this.options.flows.get(record.flowId, record.flowRevision)
    try {
      if (flow === undefined) {
        throw new SnapshotMismatchError(`flow "${record.flowId}" is no longer loaded`)
      }
      const cursor = new FlowCursor(flow, restoreSnapshot(flow, record), record, record)
      cursor.taskTimeoutMs = this.options.taskTimeoutMs
      return cursor
    } catch (error) {
      if (!(error instanceof SnapshotMismatchError)) throw error
      logger.warn(
        { flow: record.flowId, reason: error.message },
        'stored sms session does not match the current flow',
      )
      return undefined
    }
  }

  private question(
    cursor: FlowCursor,
    key: string,
    version: number,
    rendered: ReturnType<typeof renderSms>,
    now: number,
  ): SmsQuestion {
    const value = cursor.snapshot.value
    const screen = cursor.meta().screen
    const title = cursor.flow.title
    const summary =
      title !== undefined ? cursor.text(title) : truncate(cursor.text(screen?.prompt ?? ''), 40)

    return {
      id: `${key}:${version}`,
      sessionKey: key,
      flowId: cursor.flow.id,
      state: typeof value === 'string' ? value : JSON.stringify(value),
      expects: rendered.choices,
      askedAt: now,
      expiresAt: now + this.options.questionTtlSeconds * 1000,
      summary,
      ...(rendered.input === undefined ? {} : { input: rendered.input }),
    }
  }

  private smsEffect(
    cursor: FlowCursor,
    idempotencyKey: string,
    text: string,
    category: SmsCategory,
  ): SmsEffect {
    return {
      kind: 'sms',
      to: cursor.session.msisdn,
      text,
      idempotencyKey,
      sessionKey: cursor.session.key,
      flowId: cursor.flow.id,
      category,
    }
  }

  private sessionTtlSeconds(): number {
    return this.options.questionTtlSeconds + sessionGraceSeconds
  }

  private loggerFor(key: string, msisdn: string | undefined): Logger {
    const number = msisdn ?? key.split(':')[1] ?? ''
    return this.options.logger.child({ channel: 'sms', msisdn: maskMsisdn(number) })
  }
}

/** A step the person caused replies to them; one a timer or the API caused does not. */
function categoryOf(origin: SmsOrigin): SmsCategory {
  return origin === 'api' || origin === 'timer' ? 'notification' : 'transactional'
}

function sessionStatus(cursor: FlowCursor, cancelled: boolean): SessionRecord['status'] {
  if (cancelled) return 'dropped'
  return cursor.done ? 'done' : 'active'
}

function stepStatus(status: SessionRecord['status']): SmsStepStatus {
  if (status === 'active') return 'waiting'
  return status === 'done' ? 'done' : 'cancelled'
}
