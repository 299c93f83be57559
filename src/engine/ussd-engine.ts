import { initialTransition } from 'xstate'
import type { Logger } from 'pino'
import { maskMsisdn } from '../text/phone.ts'
import { normalizeInput } from '../text/digits.ts'
import { fillTemplate } from '../text/template.ts'
import type { SessionRecord, SessionReply, SessionStore } from '../store/session-store.ts'
import type { EffectSink } from './effects.ts'
import type { Flow, LocalizedText } from './flow.ts'
import { FlowCursor } from './flow-cursor.ts'
import type { FlowRegistry } from './flow-registry.ts'
import { hashInput } from './input-hash.ts'
import { localize } from './localize.ts'
import { restoreSnapshot, SnapshotMismatchError } from './restore-snapshot.ts'
import { applyUssdInput, renderUssd, type UssdScreenSettings } from './ussd-screen.ts'

/** One USSD callback after the channel adapter parsed and validated it. */
export interface UssdHop {
  readonly provider: string
  readonly sessionId: string
  /** E.164. */
  readonly msisdn: string
  readonly serviceCode: string
  readonly network?: string
  /** Every input so far, joined with `*`, as the gateway sends it. */
  readonly text: string
  /** Milliseconds since the epoch. */
  readonly receivedAt: number
}

export interface UssdEngineOptions extends UssdScreenSettings {
  readonly store: SessionStore
  readonly flows: FlowRegistry
  readonly effects: EffectSink
  readonly logger: Logger
  /** How long a session lives after its last hop. */
  readonly sessionTtlSeconds: number
  /** Time a hop may spend on flow tasks before it answers. */
  readonly hopBudgetMs: number
  /** Language of the engine's own messages before a flow is known. */
  readonly defaultLanguage: string
}

// A save that loses the version race reloads and tries again this many times.
const maxCommitAttempts = 4

/**
 * Runs USSD hops: loads the session, works out the newest input, moves the flow, saves with a
 * version check, then dispatches effects. It never throws: every failure becomes an `END` reply.
 */
export class UssdEngine {
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
      return this.message('failure', hop)
    } catch (error) {
      return this.failureReply(error, hop, logger)
    }
  }

  private async attempt(
    key: string,
    hop: UssdHop,
    logger: Logger,
  ): Promise<SessionReply | 'conflict'> {
    const record = await this.options.store.load(key)
    if (record === null) return this.start(key, hop, logger)

    if (record.msisdn !== hop.msisdn) {
      logger.warn({ owner: maskMsisdn(record.msisdn) }, 'session id reused by another phone number')
      return this.message('notYourSession', hop)
    }

    const inputHash = hashInput(hop.text)
    if (inputHash === record.lastInputHash && hop.text.length === record.lastInputLength) {
      logger.info('repeated callback, returning the stored reply')
      return record.lastReply
    }
    if (record.status !== 'active') return this.message('sessionEnded', hop, record.context)

    const input = newestInput(hop.text, record)
    if (input === null) {
      logger.warn('input does not extend the previous input, ending the session')
      return this.endWith(record, hop, 'sessionLost', logger)
    }

    return this.continue(record, hop, input, logger)
  }

  private async start(
    key: string,
    hop: UssdHop,
    logger: Logger,
  ): Promise<SessionReply | 'conflict'> {
    const flow = this.options.flows.forServiceCode(hop.serviceCode)
    if (flow === undefined) {
      logger.warn({ serviceCode: hop.serviceCode }, 'no flow for this service code')
      return this.message('unknownServiceCode', hop)
    }

    const contact = await this.options.store.loadContact(hop.msisdn)
    const language = contact?.language ?? flow.defaultLanguage
    const [snapshot, actions] = initialTransition(flow.machine, { msisdn: hop.msisdn, language })
    const cursor = new FlowCursor(
      flow,
      snapshot,
      { history: [], pages: [0], shown: 0 },
      { key, msisdn: hop.msisdn, version: 0 },
    )
    if (flow.languageState !== undefined && contact?.language === undefined)
      cursor.jump(flow.languageState)
    void actions

    // A first hop that already carries inputs came from a shortcut dial: replay them in order.
    const inputs = hop.text === '' ? [] : hop.text.split('*')
    logger.info(
      { flow: flow.id, revision: flow.revision, presets: inputs.length },
      'session started',
    )
    return this.run(cursor, key, hop, inputs, 0, logger)
  }

  private async continue(
    record: SessionRecord,
    hop: UssdHop,
    input: string,
    logger: Logger,
  ): Promise<SessionReply | 'conflict'> {
    const flow = this.options.flows.get(record.flowId)
    let snapshot
    try {
      if (flow === undefined)
        throw new SnapshotMismatchError(`flow "${record.flowId}" is no longer loaded`)
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
      return this.message('flowUpdated', hop, record.context)
    }

    const cursor = new FlowCursor(flow, snapshot, record, {
      key: record.key,
      msisdn: record.msisdn,
      version: record.version,
    })
    return this.run(cursor, record.key, hop, [input], record.version, logger)
  }

  private async run(
    cursor: FlowCursor,
    key: string,
    hop: UssdHop,
    inputs: readonly string[],
    version: number,
    logger: Logger,
  ): Promise<SessionReply | 'conflict'> {
    const deadline = hop.receivedAt + this.options.hopBudgetMs
    await cursor.settle(deadline, logger)
    let reply = renderUssd(cursor, this.options)

    for (const [index, input] of inputs.entries()) {
      if (cursor.done) break
      const outcome = applyUssdInput(cursor, input, this.options)
      if (outcome === 'accepted') await cursor.settle(deadline, logger)
      reply = renderUssd(cursor, this.options)

      const more = index < inputs.length - 1
      if (more && outcome === 'rejected') break
      if (more && cursor.meta().screen?.confirm === true) break
    }

    const record: SessionRecord = {
      key,
      msisdn: hop.msisdn,
      flowId: cursor.flow.id,
      flowVersion: cursor.flow.version,
      flowRevision: cursor.flow.revision,
      version: version + 1,
      status: cursor.done ? 'done' : 'active',
      value: cursor.snapshot.value,
      context: cursor.context,
      history: cursor.history,
      pages: cursor.pages,
      shown: cursor.shown,
      lastInputLength: hop.text.length,
      lastInputHash: hashInput(hop.text),
      lastReply: reply,
      updatedAt: hop.receivedAt,
    }

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

    await this.saveLanguage(cursor, hop.msisdn, logger)
    await this.dispatch(cursor, logger)
    return reply
  }

  private async saveLanguage(cursor: FlowCursor, msisdn: string, logger: Logger): Promise<void> {
    if (cursor.context['languageChosen'] !== true) return
    try {
      const existing = await this.options.store.loadContact(msisdn)
      if (existing?.language === cursor.language) return
      await this.options.store.saveContact({
        ...existing,
        msisdn,
        language: cursor.language,
        updatedAt: Date.now(),
      })
    } catch (error) {
      logger.error({ err: error }, 'failed to save the contact language')
    }
  }

  private async dispatch(cursor: FlowCursor, logger: Logger): Promise<void> {
    if (cursor.effects.length === 0) return
    try {
      await this.options.effects.dispatch(cursor.effects)
    } catch (error) {
      logger.error({ err: error, effects: cursor.effects.length }, 'failed to dispatch effects')
    }
  }

  private async endWith(
    record: SessionRecord,
    hop: UssdHop,
    message: 'sessionLost' | 'failure',
    logger: Logger,
  ): Promise<SessionReply> {
    const reply = this.message(message, hop, record.context)
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

  private failureReply(error: unknown, hop: UssdHop, logger: Logger): SessionReply {
    if (isStoreFailure(error)) {
      logger.error({ err: error }, 'session store unavailable')
      return this.message('unavailable', hop)
    }
    logger.error({ err: error }, 'flow failed during the hop')
    return this.message('failure', hop)
  }

  private message(
    name: keyof UssdEngineOptions['messages'],
    hop: UssdHop,
    context?: Record<string, unknown>,
  ): SessionReply {
    const language =
      typeof context?.['language'] === 'string' ? context['language'] : this.options.defaultLanguage
    const text: LocalizedText = this.options.messages[name]
    const body = fillTemplate(localize(text, language, this.options.defaultLanguage), {
      serviceCode: hop.serviceCode,
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

function isStoreFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'StoreUnavailableError'
}

export type { Flow }
