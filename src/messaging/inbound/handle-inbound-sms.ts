import type { Logger } from 'pino'
import type { EffectSink, SmsCategory } from '../../engine/effects.ts'
import type { LocalizedText } from '../../engine/flow.ts'
import { localize } from '../../engine/localize.ts'
import type { SmsEngine, SmsStepResult } from '../../engine/sms-engine.ts'
import type { SmsAnswer } from '../../engine/sms-screen.ts'
import type { SmsQuestion } from '../../engine/sms-session.ts'
import { maskMsisdn } from '../../text/phone.ts'
import { fillTemplate } from '../../text/template.ts'
import { keywordOptOutSource, type OptOutStore } from '../opt-outs.ts'
import type { MessageRouter } from '../routing/message-router.ts'
import { contactChanges } from './contact-changes.ts'
import { recordEventOnce } from './contact-events.ts'
import type { Contact, ContactStore, OpenQuestion } from './contacts.ts'
import { chooseQuestion } from './choose-question.ts'
import type { InboundMessages } from './inbound-messages.ts'
import { matchComplianceKeyword, type ComplianceKeywordMatch } from './keywords.ts'
import { matchAnswer } from './match-answer.ts'
import { keywordForm, splitWords } from './match-text.ts'
import type { InboundSms } from './parse-inbound-sms.ts'
import type { SmsKeywordRoutes } from './sms-keyword-routes.ts'

export interface InboundSmsHandlerOptions {
  readonly contacts: ContactStore
  /** The opt-outs the outbox worker consults before each send. */
  readonly optOuts: OptOutStore
  readonly engine: SmsEngine
  readonly router: MessageRouter
  /** Sink of the replies: the outbox, behind the contact history. */
  readonly effects: EffectSink
  readonly keywords: SmsKeywordRoutes
  readonly messages: InboundMessages
  readonly defaultLanguage: string
  /** Seconds a "which one do you mean?" question waits for its letter. */
  readonly questionTtlSeconds: number
  readonly logger: Logger
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
}

/**
 * The question "Which one do you mean? Reply A for ..., B for ...", asked when one reply fits
 * several open questions. Its choices are the ids of those questions.
 */
interface WhichQuestion extends OpenQuestion {
  /** The reply that fitted several questions; it is applied to the one picked. */
  readonly pendingText: string
}

// A reply of at most this many words that fits no open question counts as a mistyped answer, so
// it gets the question again. A longer one is a message for a person.
const maxAnswerWords = 3
const letters = 'ABCDEFGHIJ'

/**
 * Handles one inbound SMS, in a fixed order:
 * 1. Compliance words (STOP and the other opt-out words, START, HELP), even while a flow waits.
 * 2. A reply to one of the sender's open questions: a match continues that flow, a typo of a
 *    choice word gets "Did you mean YES?", and a reply that fits several questions gets "Which
 *    one do you mean?".
 * 3. A keyword of the short code (`BOOK`) starts its flow over SMS.
 * 4. Anything else goes to the `MessageRouter`, with the contact's history as context.
 *
 * Returns a short label of what was done, stored with the message.
 */
export class InboundSmsHandler {
  private readonly now: () => number

  constructor(private readonly options: InboundSmsHandlerOptions) {
    this.now = options.now ?? Date.now
  }

  async handle(message: InboundSms): Promise<string> {
    const logger = this.options.logger.child({
      sms: message.providerId,
      from: maskMsisdn(message.from),
    })
    const contact = await this.options.contacts.update(message.from, (stored) =>
      recordEventOnce(stored, {
        kind: 'sms-in',
        channel: 'sms',
        at: message.receivedAt,
        ref: message.id,
        text: message.text,
      }),
    )

    const outcome = await this.decide(message, contact, logger)
    await this.options.contacts.update(message.from, (stored) =>
      setInboundOutcome(stored, message.id, outcome),
    )
    logger.info({ outcome }, 'inbound sms handled')
    return outcome
  }

  private async decide(message: InboundSms, contact: Contact, logger: Logger): Promise<string> {
    const compliance = matchComplianceKeyword(message.matchText)
    if (compliance !== null) return this.handleCompliance(message, compliance, contact, logger)

    const answered = await this.answerOpenQuestion(message, contact)
    if (answered !== null) return answered

    const flowId = this.options.keywords.flowFor(message.to, message.matchText)
    if (flowId !== undefined) {
      const started = await this.options.engine.start({
        msisdn: message.from,
        flowId,
        origin: 'keyword',
        messageId: message.id,
      })
      if (started.status !== 'unknown-flow') return `flow:${flowId}`
    }

    return this.route(message, contact)
  }

  private async handleCompliance(
    message: InboundSms,
    match: ComplianceKeywordMatch,
    contact: Contact,
    logger: Logger,
  ): Promise<string> {
    const at = this.now()
    const language = this.languageOf(contact)

    if (match.action === 'opt-out') {
      // The outbox worker reads this store, so it goes first: once it is written, nothing
      // non-essential reaches the person, whatever fails after it.
      await this.options.optOuts.record({
        msisdn: message.from,
        reason: match.keyword,
        source: keywordOptOutSource,
        recordedAt: at,
      })
      const sessionKeys = contact.openQuestions.map((question) => question.sessionKey)
      const cancelled = await this.options.engine.cancelAll(message.from, 'opt-out', sessionKeys)
      await this.options.contacts.update(message.from, (stored) =>
        contactChanges.closeAllQuestions(
          contactChanges.setOptOut(stored, {
            optedOut: true,
            reason: match.keyword,
            source: 'sms',
            at,
          }),
        ),
      )

      const text =
        match.reference === undefined
          ? this.options.messages.optedOut
          : this.options.messages.optedOutWithReference
      await this.send(message, 'opt-out', 'essential', language, text, {
        reference: match.reference,
      })
      logger.info({ keyword: match.keyword, cancelled }, 'opted out by sms')
      return 'opt-out'
    }

    if (match.action === 'opt-in') {
      await this.options.optOuts.remove(message.from)
      await this.options.contacts.update(message.from, (stored) =>
        contactChanges.setOptOut(stored, {
          optedOut: false,
          reason: match.keyword,
          source: 'sms',
          at,
        }),
      )
      await this.send(message, 'opt-in', 'essential', language, this.options.messages.optedIn)
      return 'opt-in'
    }

    const help = this.options.keywords.help(message.to) ?? this.options.messages.help
    await this.send(message, 'help', 'essential', language, help)
    return 'help'
  }

  /** Returns the outcome when the message answered an open question, or null to go on. */
  private async answerOpenQuestion(message: InboundSms, contact: Contact): Promise<string | null> {
    const now = this.now()
    const open = contact.openQuestions.filter((question) => question.expiresAt > now)
    if (open.length === 0) return null

    const match = chooseQuestion(open, message.text, { now })
    switch (match.kind) {
      case 'match':
        return this.applyMatch(message, contact, match.question, match.id)
      case 'near-miss':
        return this.clarify(message, contact, match.question, match.id)
      case 'ambiguous':
        return this.askWhich(message, contact, match.questions)
      case 'no-match':
        return this.answerWithoutChoice(message, open)
    }
  }

  private async applyMatch(
    message: InboundSms,
    contact: Contact,
    question: OpenQuestion,
    choiceId: string,
  ): Promise<string | null> {
    if (!isWhichQuestion(question)) {
      return this.applyAnswer(question, { kind: 'choice', id: choiceId }, message)
    }

    await this.options.contacts.update(message.from, (stored) =>
      contactChanges.closeSessionQuestions(stored, question.sessionKey),
    )
    const picked = contact.openQuestions.find((open) => open.id === choiceId)
    if (picked === undefined) return null

    const first = matchAnswer(picked.expects, question.pendingText)
    if (first.kind !== 'match') return null
    return this.applyAnswer(picked, { kind: 'choice', id: first.id }, message)
  }

  private async applyAnswer(
    question: OpenQuestion,
    answer: SmsAnswer,
    message: InboundSms,
  ): Promise<string | null> {
    const result = await this.options.engine.answer(question as SmsQuestion, answer, message.id)
    return answered(result) ? `answer:${question.flowId}` : null
  }

  /** Asks "Did you mean YES?" for a typo of a choice word; nothing happens until it comes. */
  private async clarify(
    message: InboundSms,
    contact: Contact,
    question: OpenQuestion,
    choiceId: string,
  ): Promise<string> {
    const choice = question.expects.find((candidate) => candidate.id === choiceId)
    const word = (choice?.words?.[0] ?? String(choice?.number ?? '')).toUpperCase()
    const text = this.options.messages.didYouMean
    await this.send(message, 'clarify', 'transactional', this.languageOf(contact), text, { word })
    return 'near-miss'
  }

  /** Asks which question a reply answers, and keeps the reply to apply to the one picked. */
  private async askWhich(
    message: InboundSms,
    contact: Contact,
    questions: readonly OpenQuestion[],
  ): Promise<string> {
    const now = this.now()
    const listed = questions.slice(0, letters.length)
    const which: WhichQuestion = {
      id: `which:${message.id}`,
      sessionKey: `which:${message.from}`,
      flowId: '',
      state: '',
      expects: listed.map((question, index) => ({ id: question.id, words: [letters[index]!] })),
      askedAt: now,
      expiresAt: now + this.options.questionTtlSeconds * 1000,
      pendingText: message.text,
    }
    await this.options.contacts.update(message.from, (stored) =>
      contactChanges.askQuestion(stored, which),
    )

    const language = this.languageOf(contact)
    const choices = listed.map((question, index) =>
      fillTemplate(localize(this.options.messages.whichChoice, language, this.fallback()), {
        letter: letters[index],
        summary: (question as Partial<SmsQuestion>).summary ?? question.flowId,
      }),
    )
    const text = this.options.messages.whichOne
    await this.send(message, 'which', 'transactional', language, text, {
      choices: choices.join(', '),
    })
    return 'ambiguous'
  }

  /**
   * Handles a reply that picks no choice: typed input when a question takes it, the question
   * again when the reply is short enough to be a mistyped answer, and null (go on) otherwise.
   */
  private async answerWithoutChoice(
    message: InboundSms,
    open: readonly OpenQuestion[],
  ): Promise<string | null> {
    const questions = newestFirst(open.filter((question) => !isWhichQuestion(question)))
    const typed = questions.find((question) => (question as SmsQuestion).input !== undefined)
    if (typed !== undefined) {
      const result = await this.applyAnswer(typed, { kind: 'text', text: message.text }, message)
      if (result !== null) return result
    }

    if (this.options.keywords.flowFor(message.to, message.matchText) !== undefined) return null
    const words = splitWords(keywordForm(message.matchText))
    const newest = questions[0]
    if (newest === undefined || words.length > maxAnswerWords) return null

    const result = await this.options.engine.reprompt(newest as SmsQuestion, message.id)
    return result.status === 'stale' ? null : 'reprompt'
  }

  private async route(message: InboundSms, contact: Contact): Promise<string> {
    const now = this.now()
    const openQuestions = contact.openQuestions
      .filter((question) => question.expiresAt > now && !isWhichQuestion(question))
      .map((question) => ({
        flowId: question.flowId,
        state: question.state,
        summary: (question as Partial<SmsQuestion>).summary,
        askedAt: question.askedAt,
      }))

    const outcome = await this.options.router.route({
      id: message.id,
      channel: 'sms',
      from: message.from,
      to: message.to,
      text: message.text,
      matchText: message.matchText,
      receivedAt: message.receivedAt,
      ...(contact.language === undefined ? {} : { language: contact.language }),
      context: { history: contact.history, openQuestions },
    })

    if (outcome.acknowledgement !== undefined && outcome.acknowledgement !== '') {
      const text = outcome.acknowledgement
      await this.send(message, 'ack', 'transactional', this.languageOf(contact), text)
    }
    return `routed:${outcome.reference}`
  }

  /**
   * Queues one reply to `message`, once however often the message is handled.
   *
   * NOTE: replies do not echo the message's `linkId`, which Africa's Talking requires on premium
   * (on-demand) short codes, because the outbox has no field for it yet.
   */
  private async send(
    message: InboundSms,
    purpose: string,
    category: SmsCategory,
    language: string,
    text: LocalizedText,
    values: Record<string, unknown> = {},
  ): Promise<void> {
    const body = fillTemplate(localize(text, language, this.fallback()), values)
    await this.options.effects.dispatch([
      {
        kind: 'sms',
        to: message.from,
        text: body,
        idempotencyKey: `${message.id}:${purpose}`,
        sessionKey: `inbound:${message.id}`,
        flowId: '',
        category,
      },
    ])
  }

  private languageOf(contact: Contact): string {
    return contact.language ?? this.options.defaultLanguage
  }

  private fallback(): string {
    return this.options.defaultLanguage
  }
}

function isWhichQuestion(question: OpenQuestion): question is WhichQuestion {
  return typeof (question as Partial<WhichQuestion>).pendingText === 'string'
}

function answered(result: SmsStepResult): boolean {
  return result.status !== 'stale' && result.status !== 'unknown-flow'
}

function newestFirst(questions: readonly OpenQuestion[]): OpenQuestion[] {
  return [...questions].sort((a, b) => b.askedAt - a.askedAt)
}

/** Sets the outcome of the inbound event `ref` in the history; the same contact if missing. */
function setInboundOutcome(contact: Contact, ref: string, outcome: string): Contact {
  const index = contact.history.findIndex((event) => event.kind === 'sms-in' && event.ref === ref)
  const event = contact.history[index]
  if (event === undefined || event.outcome === outcome) return contact

  const history = [...contact.history]
  history[index] = { ...event, outcome }
  return { ...contact, history }
}
