import { initialTransition } from 'xstate'
import type { Logger } from 'pino'
import { maskMsisdn } from '../text/phone.ts'
import { normalizeInput } from '../text/digits.ts'
import { fillTemplate } from '../text/template.ts'
import type { SessionRecord, SessionReply, TimerRecord } from '../store/session-store.ts'
import {
  dispatchEffects,
  isStoreFailure,
  saveChosenLanguage,
  scheduleTimers,
} from './after-commit.ts'
import type { Effect } from './effects.ts'
import type { Flow, LocalizedText } from './flow.ts'
import { DeadlineExceededError, FlowCursor } from './flow-cursor.ts'
import { hashInput } from './input-hash.ts'
import { localize } from './localize.ts'
import { isResumable, readResumeChoice, renderResumeOffer } from './resume-offer.ts'
import { restoreSnapshot, SnapshotMismatchError } from './restore-snapshot.ts'
import { dropSession } from './ussd-drop.ts'
import { ussdRecord } from './ussd-record.ts'
import { applyUssdInput, renderUssd } from './ussd-screen.ts'
import type { UssdEngineOptions, UssdHop, UssdSessionEnd } from './ussd-types.ts'

export type { UssdEngineOptions, UssdHop, UssdSessionEnd }

// A save that loses the version race reloads and tries again this many times.
const maxCommitAttempts = 4

/** The event of the timer that notices a session the gateway dropped without telling us. */
export const sessionExpiredEvent = 'SESSION.EXPIRED'

type Attempt = SessionReply | 'conflict'

/**
 * Runs USSD hops: loads the session, works out the newest input, moves the flow, saves with a
 * version check, then dispatches effects. It never throws: every failure becomes an `END` reply.
 * It also ends sessions that dropped, offers to continue them, finishes slow tasks after the hop
 * answered, and fires the timers flows schedule.
 */
export class UssdEngine {
  private readonly background = new Set<Promise<void>>()

  constructor(private readonly options: UssdEngineOptions) {}

  async handle(hop: UssdHop): Promise<SessionReply> {
    const key = `${hop.provider}:${hop.sessionId}`
    const logger = this.options.logger.child({
      sessionId: hop.sessionId,
      msisdn: maskMsisdn(hop.msisdn),
    })
    // Trailing spaces stay, because the next hop repeats this text exactly and the newest input
    // is found by the stored length and hash. Each input is trimmed when it is applied.
    const normalized = normalizeInput(hop.text)
    const text = normalized.trim() === '' ? '' : normalized

    try {
      for (let attempt = 1; attempt <= maxCommitAttempts; attempt += 1) {
        const outcome = await this.attempt(key, { ...hop, text }, logger)
        if (outcome !== 'conflict') return outcome
        logger.info({ attempt }, 'session changed during the hop, retrying')
      }
      logger.warn('session kept changing during the hop, giving up')
      return this.message('failure', hop.serviceCode)
    } catch (error) {
      return this.failureReply(error, hop, logger)
    }
  }

  /**
   * Handles the aggregator's end-of-session notice. A session that stopped while a screen waited
   * is dropped (one SMS, a draft to continue); anything else, and any repeat, changes nothing.
   */
  async handleSessionEnd(end: UssdSessionEnd): Promise<void> {
    const key = `${end.provider}:${end.sessionId}`
    const logger = this.options.logger.child({
      sessionId: end.sessionId,
      msisdn: maskMsisdn(end.msisdn),
    })
    const details = { status: end.status, hops: end.hops, durationMs: end.durationMs }

    for (let attempt = 1; attempt <= maxCommitAttempts; attempt += 1) {
      const record = await this.options.store.load(key)
      if (record === null || record.msisdn !== end.msisdn) {
        logger.info(details, 'end notice for a session that is not stored')
        return
      }
      if (!end.dropped) {
        logger.info({ ...details, stored: record.status }, 'session ended')
        return
      }

      const outcome = await dropSession(record, end.status, this.options, end.receivedAt, logger)
      if (outcome !== 'conflict') return
    }
    logger.warn(details, 'session kept changing while it was being dropped')
  }

  /**
   * Fires a stored timer: a flow's `after` delay, or the drop check of a silent session. A timer
   * whose session has moved past the version it was set for is dropped.
   */
  async fireTimer(timer: TimerRecord, now: number): Promise<void> {
    const record = await this.options.store.load(timer.sessionKey)
    const logger = this.options.logger.child({
      sessionKey: timer.sessionKey,
      timer: timer.event.type,
    })
    if (record === null || record.version !== timer.version || record.status !== 'active') {
      logger.debug('timer is stale, dropping it')
      return
    }

    if (timer.event.type === sessionExpiredEvent) {
      await dropSession(record, 'no hop or end notice in time', this.options, now, logger)
      return
    }
    await this.applyTimerEvent(record, timer, now, logger)
  }

  /** Resolves when every task that outlived its hop has finished and sent its SMS. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background])
  }

  private async attempt(key: string, hop: UssdHop, logger: Logger): Promise<Attempt> {
    const record = await this.options.store.load(key)
    if (record === null) return this.start(key, hop, logger)

    if (record.msisdn !== hop.msisdn) {
      logger.warn({ owner: maskMsisdn(record.msisdn) }, 'session id reused by another phone number')
      return this.message('notYourSession', hop.serviceCode)
    }

    if (
      hashInput(hop.text) === record.lastInputHash &&
      hop.text.length === record.lastInputLength
    ) {
      logger.info('repeated callback, returning the stored reply')
      // The first attempt may have saved and then died before its effects were queued.
      await dispatchEffects(this.options.effects, record.pendingEffects ?? [], logger)
      return record.lastReply
    }
    if (record.status !== 'active') {
      return this.message('sessionEnded', hop.serviceCode, record.context)
    }

    const input = newestInput(hop.text, record)
    if (input === null) {
      logger.warn('input does not extend the previous input, ending the session')
      return this.endWith(record, hop, 'sessionLost', logger)
    }

    if (record.offer === 'resume') return this.answerOffer(record, hop, input, logger)
    return this.continue(record, hop, input, logger)
  }

  private async start(key: string, hop: UssdHop, logger: Logger): Promise<Attempt> {
    const flow = this.options.flows.forServiceCode(hop.serviceCode)
    if (flow === undefined) {
      logger.warn({ serviceCode: hop.serviceCode }, 'no flow for this service code')
      return this.message('unknownServiceCode', hop.serviceCode)
    }

    const contact = await this.options.store.loadContact(hop.msisdn)
    const cursor = this.freshCursor(flow, key, hop.msisdn, contact?.language)

    const draft =
      flow.resumeWindowSeconds > 0 ? await this.options.store.loadDraft(hop.msisdn, flow.id) : null
    if (isResumable(draft, flow, hop.receivedAt)) {
      logger.info({ flow: flow.id }, 'session started with an offer to continue a draft')
      const reply = renderResumeOffer(
        flow,
        draft,
        cursor.language,
        this.options.messages,
        this.options.screenLimit,
      )
      return this.saveOffer(cursor, key, hop, reply, 0, logger)
    }

    // A first hop that already carries inputs came from a shortcut dial: replay them in order.
    const inputs = hop.text === '' ? [] : hop.text.split('*')
    logger.info(
      { flow: flow.id, revision: flow.revision, presets: inputs.length },
      'session started',
    )
    return this.run(cursor, key, hop, inputs, 0, logger)
  }

  private freshCursor(flow: Flow, key: string, msisdn: string, savedLanguage?: string): FlowCursor {
    const language = savedLanguage ?? flow.defaultLanguage
    const [snapshot, actions] = initialTransition(flow.machine, { msisdn, language })
    const cursor = new FlowCursor(
      flow,
      snapshot,
      { history: [], pages: [0], shown: 0 },
      { key, msisdn, version: 0 },
    )
    if (flow.languageState !== undefined && savedLanguage === undefined) {
      cursor.jump(flow.languageState)
    } else {
      cursor.absorb(actions)
    }
    cursor.taskTimeoutMs = this.options.taskTimeoutMs
    return cursor
  }

  private async answerOffer(
    record: SessionRecord,
    hop: UssdHop,
    input: string,
    logger: Logger,
  ): Promise<Attempt> {
    const flow = this.options.flows.get(record.flowId, record.flowRevision)
    if (flow === undefined) return this.message('flowUpdated', hop.serviceCode, record.context)

    const choice = readResumeChoice(input)
    const draft = await this.options.store.loadDraft(record.msisdn, flow.id)
    const language =
      typeof record.context['language'] === 'string'
        ? record.context['language']
        : flow.defaultLanguage

    if (choice === 'invalid' && isResumable(draft, flow, hop.receivedAt)) {
      const cursor = this.freshCursor(flow, record.key, record.msisdn, language)
      const reply = renderResumeOffer(
        flow,
        draft,
        language,
        this.options.messages,
        this.options.screenLimit,
        true,
      )
      return this.saveOffer(cursor, record.key, hop, reply, record.version, logger)
    }

    await this.options.store.removeDraft(record.msisdn, flow.id)
    if (choice === 'continue' && isResumable(draft, flow, hop.receivedAt)) {
      const cursor = this.draftCursor(flow, record, draft)
      if (cursor !== undefined) {
        logger.info({ flow: flow.id, state: draft.value }, 'continuing a dropped session')
        return this.run(cursor, record.key, hop, [], record.version, logger)
      }
    }

    logger.info({ flow: flow.id }, 'starting over instead of continuing a draft')
    const cursor = this.freshCursor(flow, record.key, record.msisdn, language)
    return this.run(cursor, record.key, hop, [], record.version, logger)
  }

  private draftCursor(
    flow: Flow,
    record: SessionRecord,
    draft: NonNullable<Awaited<ReturnType<UssdEngineOptions['store']['loadDraft']>>>,
  ): FlowCursor | undefined {
    try {
      const snapshot = restoreSnapshot(flow, draft)
      const navigation = { history: draft.history, pages: [0], shown: 0 }
      const cursor = new FlowCursor(flow, snapshot, navigation, {
        ...record,
        version: record.version,
      })
      cursor.taskTimeoutMs = this.options.taskTimeoutMs
      return cursor
    } catch (error) {
      if (error instanceof SnapshotMismatchError) return undefined
      throw error
    }
  }

  private async saveOffer(
    cursor: FlowCursor,
    key: string,
    hop: UssdHop,
    reply: SessionReply,
    version: number,
    logger: Logger,
  ): Promise<Attempt> {
    const record: SessionRecord = {
      ...this.recordOf(cursor, key, hop, version + 1, 'active', reply, []),
      offer: 'resume',
    }
    if (!(await this.options.store.commit(record, this.options.sessionTtlSeconds)))
      return 'conflict'
    await this.scheduleDropCheck(record, hop.receivedAt, logger)
    return reply
  }

  private async continue(
    record: SessionRecord,
    hop: UssdHop,
    input: string,
    logger: Logger,
  ): Promise<Attempt> {
    const flow = this.options.flows.get(record.flowId, record.flowRevision)
    let snapshot
    try {
      if (flow === undefined) {
        throw new SnapshotMismatchError(`flow "${record.flowId}" is no longer loaded`)
      }
      snapshot = restoreSnapshot(flow, record)
    } catch (error) {
      if (!(error instanceof SnapshotMismatchError)) throw error
      logger.warn(
        {
          flow: record.flowId,
          storedVersion: record.flowVersion,
          currentVersion: flow?.version,
          reason: error.message,
        },
        'stored session does not match the current flow, ending it',
      )
      await this.options.store.remove(record.key)
      const reply = this.message('flowUpdated', hop.serviceCode, record.context)
      await this.tellBySms(record, reply.text, 'updated', logger)
      return reply
    }

    const cursor = new FlowCursor(flow, snapshot, record, record)
    cursor.taskTimeoutMs = this.options.taskTimeoutMs
    return this.run(cursor, record.key, hop, [input], record.version, logger)
  }

  private async run(
    cursor: FlowCursor,
    key: string,
    hop: UssdHop,
    inputs: readonly string[],
    version: number,
    logger: Logger,
  ): Promise<Attempt> {
    const deadline = hop.receivedAt + this.options.hopBudgetMs
    let reply: SessionReply
    try {
      reply = await this.applyInputs(cursor, inputs, deadline, logger)
    } catch (error) {
      if (!(error instanceof DeadlineExceededError)) throw error
      return this.answerLater(cursor, key, hop, version, error, logger)
    }

    const record = this.recordOf(
      cursor,
      key,
      hop,
      version + 1,
      cursor.done ? 'done' : 'active',
      reply,
      cursor.effects,
    )
    if (!(await this.options.store.commit(record, this.options.sessionTtlSeconds)))
      return 'conflict'
    logger.info(
      {
        flow: cursor.flow.id,
        state: cursor.snapshot.value,
        version: record.version,
        end: reply.end,
      },
      'hop answered',
    )

    await this.afterSave(cursor, record, cursor.effects, hop.receivedAt, logger)
    return reply
  }

  private async applyInputs(
    cursor: FlowCursor,
    inputs: readonly string[],
    deadline: number,
    logger: Logger,
  ): Promise<SessionReply> {
    await cursor.settle(deadline, logger, 'continue')
    // A restored cursor keeps the option count of the page the subscriber saw, which an error
    // line may have shortened. Rendering again before the input would overwrite it.
    const restored = cursor.session.version > 0
    let reply = restored && inputs.length > 0 ? undefined : renderUssd(cursor, this.options)

    for (const [index, input] of inputs.entries()) {
      if (cursor.done) break
      const outcome = applyUssdInput(cursor, input, this.options)
      if (outcome === 'accepted') await cursor.settle(deadline, logger, 'continue')
      reply = renderUssd(cursor, this.options)

      const more = index < inputs.length - 1
      if (more && outcome === 'rejected') break
      if (more && cursor.meta().screen?.confirm === true) break
    }
    return reply ?? renderUssd(cursor, this.options)
  }

  /**
   * Replies to a hop whose task outlived the time budget with a message that the result comes
   * by SMS, and lets the task go on. When it settles, the flow moves on and its closing text is
   * sent by SMS once, even when the aggregator retries this hop.
   */
  private async answerLater(
    cursor: FlowCursor,
    key: string,
    hop: UssdHop,
    version: number,
    deadline: DeadlineExceededError,
    logger: Logger,
  ): Promise<Attempt> {
    const reply = this.message('processing', hop.serviceCode, cursor.context)
    const effects = [...cursor.effects]
    const record = this.recordOf(cursor, key, hop, version + 1, 'background', reply, effects)
    if (!(await this.options.store.commit(record, this.options.sessionTtlSeconds))) {
      logger.warn(
        { task: deadline.task },
        'session changed while a slow task ran; its result is dropped',
      )
      return 'conflict'
    }

    logger.info(
      { task: deadline.task, budgetMs: this.options.hopBudgetMs },
      'task outlived the hop, answering by SMS',
    )
    await dispatchEffects(this.options.effects, effects, logger)

    const finishing = this.finishLater(cursor, record, hop, deadline.pending, logger)
    this.background.add(finishing)
    void finishing.finally(() => this.background.delete(finishing))
    return reply
  }

  private async finishLater(
    cursor: FlowCursor,
    record: SessionRecord,
    hop: UssdHop,
    pending: DeadlineExceededError['pending'],
    logger: Logger,
  ): Promise<void> {
    const already = cursor.effects.length
    let status: SessionRecord['status'] = 'done'
    let text: string
    try {
      await cursor.resume(pending, logger)
      text = renderUssd(cursor, this.options).text
    } catch (error) {
      logger.error({ err: error }, 'slow task failed after its hop answered')
      status = 'failed'
      text = this.message('backgroundFailed', hop.serviceCode, cursor.context).text
    }

    const result: Effect = {
      kind: 'sms',
      to: record.msisdn,
      text,
      idempotencyKey: `${record.key}:${record.version}:result`,
      sessionKey: record.key,
      flowId: cursor.flow.id,
    }
    const effects = [result, ...cursor.effects.slice(already)]
    const finished = {
      ...this.recordOf(
        cursor,
        record.key,
        hop,
        record.version + 1,
        status,
        record.lastReply,
        effects,
      ),
    }

    try {
      const saved = await this.options.store.commit(finished, this.options.sessionTtlSeconds)
      if (!saved) logger.warn('session changed before a slow task could save its result')
    } catch (error) {
      logger.error({ err: error }, 'failed to save the result of a slow task')
    }
    await dispatchEffects(this.options.effects, effects, logger)
  }

  private async applyTimerEvent(
    record: SessionRecord,
    timer: TimerRecord,
    now: number,
    logger: Logger,
  ) {
    const flow = this.options.flows.get(record.flowId, record.flowRevision)
    if (flow === undefined) return

    const cursor = new FlowCursor(flow, restoreSnapshot(flow, record), record, record)
    cursor.taskTimeoutMs = this.options.taskTimeoutMs
    if (!cursor.send(timer.event)) {
      logger.debug('the flow no longer waits for this timer')
      return
    }
    await cursor.settle(now + this.options.taskTimeoutMs, logger, 'fail')

    const reply = renderUssd(cursor, this.options)
    const saved: SessionRecord = {
      ...record,
      ...this.recordOf(
        cursor,
        record.key,
        undefined,
        record.version + 1,
        cursor.done ? 'done' : 'active',
        reply,
        cursor.effects,
      ),
      lastInputLength: record.lastInputLength,
      lastInputHash: record.lastInputHash,
      serviceCode: record.serviceCode,
      updatedAt: now,
    }
    if (!(await this.options.store.commit(saved, this.options.sessionTtlSeconds))) return

    logger.info({ flow: flow.id, state: cursor.snapshot.value }, 'flow timer fired')
    await this.afterSave(cursor, saved, cursor.effects, now, logger)
  }

  private recordOf(
    cursor: FlowCursor,
    key: string,
    hop: UssdHop | undefined,
    version: number,
    status: SessionRecord['status'],
    reply: SessionReply,
    effects: readonly Effect[],
  ): SessionRecord {
    return ussdRecord(cursor, {
      key,
      msisdn: cursor.session.msisdn,
      serviceCode: hop?.serviceCode ?? '',
      version,
      status,
      text: hop?.text ?? '',
      reply,
      effects,
      updatedAt: hop?.receivedAt ?? Date.now(),
    })
  }

  private async afterSave(
    cursor: FlowCursor,
    record: SessionRecord,
    effects: readonly Effect[],
    now: number,
    logger: Logger,
  ): Promise<void> {
    await saveChosenLanguage(this.options.store, cursor, record.msisdn, logger)
    await scheduleTimers(this.options.store, cursor, record, now, logger)
    await this.scheduleDropCheck(record, now, logger)
    await dispatchEffects(this.options.effects, effects, logger)
  }

  /** Schedules the check that drops this session if nothing more is heard of it. */
  private async scheduleDropCheck(record: SessionRecord, now: number, logger: Logger) {
    const seconds = this.options.dropAfterSeconds
    if (seconds <= 0 || record.status !== 'active') return

    try {
      await this.options.store.scheduleTimer({
        // One per session: each hop replaces the last, and the version fences a stale one.
        id: `${record.key}:expiry`,
        sessionKey: record.key,
        version: record.version,
        event: { type: sessionExpiredEvent },
        dueAt: now + seconds * 1000,
      })
    } catch (error) {
      logger.error({ err: error }, 'failed to schedule the drop check')
    }
  }

  private async endWith(
    record: SessionRecord,
    hop: UssdHop,
    message: 'sessionLost' | 'failure',
    logger: Logger,
  ): Promise<SessionReply> {
    const reply = this.message(message, hop.serviceCode, record.context)
    const ended: SessionRecord = {
      ...record,
      version: record.version + 1,
      status: 'failed',
      lastInputLength: hop.text.length,
      lastInputHash: hashInput(hop.text),
      lastReply: reply,
      updatedAt: hop.receivedAt,
    }
    try {
      await this.options.store.commit(ended, this.options.sessionTtlSeconds)
    } catch (error) {
      logger.error({ err: error }, 'failed to save the ended session')
    }
    return reply
  }

  /** Sends the subscriber one SMS with `text`, keyed so a retried callback sends nothing more. */
  private async tellBySms(record: SessionRecord, text: string, reason: string, logger: Logger) {
    const effect: Effect = {
      kind: 'sms',
      to: record.msisdn,
      text,
      idempotencyKey: `${record.key}:${record.version}:${reason}`,
      sessionKey: record.key,
      flowId: record.flowId,
    }
    await dispatchEffects(this.options.effects, [effect], logger)
  }

  private failureReply(error: unknown, hop: UssdHop, logger: Logger): SessionReply {
    if (isStoreFailure(error)) {
      logger.error({ err: error }, 'session store unavailable')
      return this.message('unavailable', hop.serviceCode)
    }
    logger.error({ err: error }, 'flow failed during the hop')
    return this.message('failure', hop.serviceCode)
  }

  private message(
    name: keyof UssdEngineOptions['messages'],
    serviceCode: string,
    context?: Record<string, unknown>,
  ): SessionReply {
    const language =
      typeof context?.['language'] === 'string' ? context['language'] : this.options.defaultLanguage
    const text: LocalizedText = this.options.messages[name]
    const body = fillTemplate(localize(text, language, this.options.defaultLanguage), {
      serviceCode,
    })
    return { end: true, text: body.slice(0, this.options.screenLimit) }
  }
}

/**
 * Returns the newest input: the part of `text` after the stored input and its `*` separator.
 * It is never just the last `*`-separated segment, because a subscriber can type `*` inside an
 * answer. Returns null when `text` does not extend the stored input.
 */
function newestInput(text: string, record: SessionRecord): string | null {
  if (record.lastInputLength === 0) return text

  const prefix = text.slice(0, record.lastInputLength)
  const separator = text.charAt(record.lastInputLength)
  if (separator !== '*' || hashInput(prefix) !== record.lastInputHash) return null
  return text.slice(record.lastInputLength + 1)
}

export type { Flow }
