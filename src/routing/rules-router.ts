import type { Logger } from 'pino'
import type { ContactStore } from '../messaging/inbound/contacts.ts'
import type {
  MessageRouter,
  RoutableMessage,
  RoutingOutcome,
} from '../messaging/routing/message-router.ts'
import { maskMsisdn } from '../text/phone.ts'
import { buildItemContext, lastReceivedOf } from './item-context.ts'
import { messageFacts } from './message-facts.ts'
import type { OnCallNotifier } from './on-call-notifier.ts'
import type { Decision, ProgramRules } from './program-rules.ts'
import type { QueueItem } from './queue-item.ts'
import { referenceFor } from './reference.ts'
import { renderText, routingMessages } from './routing-messages.ts'
import type { RoutingMetrics } from './routing-metrics.ts'
import type { RoutingTimers } from './routing-timers.ts'
import type { RuleBookSource } from './rule-book-source.ts'
import type { TeamQueue } from './team-queue.ts'

/**
 * Starts a flow for the sender of an SMS, which sends its own first message. Returns false when
 * the flow did not start, in which case the rule's answer text is sent instead.
 */
export type FlowStarter = (request: {
  readonly flowId: string
  readonly message: RoutableMessage
}) => Promise<boolean>

export interface RulesRouterOptions {
  readonly rules: RuleBookSource
  readonly queue: TeamQueue
  readonly contacts: Pick<ContactStore, 'get'>
  readonly timers: RoutingTimers
  readonly notifier: OnCallNotifier
  readonly metrics: RoutingMetrics
  readonly logger: Logger
  readonly now: () => number
  readonly startFlow?: FlowStarter
  /** Routes messages to a short code no rules file lists; without it they raise NoRulesError. */
  readonly unlisted?: MessageRouter
}

// References tried for one message before giving up; a second is needed about once in a
// billion items per team.
const maxReferenceAttempts = 5

/**
 * Decides what happens to a message no flow answered, by the rules of the short code it was sent
 * to: an automatic answer, or an item in a team's queue with the person's context, escalated at
 * once when the rule says so or the priority is urgent. Routing the same message id again finds
 * the same item and repeats only idempotent steps.
 */
export class RulesRouter implements MessageRouter {
  private readonly warnedShortCodes = new Set<string>()

  constructor(private readonly options: RulesRouterOptions) {}

  async route(message: RoutableMessage): Promise<RoutingOutcome> {
    const book = this.options.rules.current()
    if (!book.lists(message.to)) return this.routeUnlisted(message)

    const contact = await this.options.contacts.get(message.from)
    const knownLanguage = message.language ?? contact?.language
    const lastReceived = lastReceivedOf(contact, message.context)

    const facts = messageFacts({
      matchText: message.matchText,
      receivedAt: message.receivedAt,
      language: knownLanguage,
      lastReceived,
    })
    const { program, decision } = book.decide(message.to, facts)
    const language = program.languageFor(knownLanguage)

    if (decision.destination.kind === 'answer') {
      return this.answer(message, program, decision, language)
    }

    const earlier = await this.options.queue.earlierRequests(message.from)
    const context = buildItemContext({
      msisdn: message.from,
      messageId: message.id,
      contact,
      earlier,
      channelContext: withoutHistory(message.context),
    })
    const item = await this.openItem(message, decision, language, context)
    return {
      reference: item.reference,
      acknowledgement: this.acknowledgement(program, decision, item),
      category: decision.category,
      rule: decision.rule,
    }
  }

  private routeUnlisted(message: RoutableMessage): Promise<RoutingOutcome> {
    const { unlisted, logger } = this.options
    // Raises NoRulesError, which names the short code and the fix.
    if (unlisted === undefined) this.options.rules.current().programsFor(message.to)

    if (!this.warnedShortCodes.has(message.to)) {
      this.warnedShortCodes.add(message.to)
      logger.warn(
        { to: message.to },
        'no rules file lists this short code; its messages get the plain acknowledgement',
      )
    }
    return (unlisted as MessageRouter).route(message)
  }

  private async answer(
    message: RoutableMessage,
    program: ProgramRules,
    decision: Decision,
    language: string,
  ): Promise<RoutingOutcome> {
    if (decision.destination.kind !== 'answer') throw new TypeError('expected an answer rule')
    const reference = referenceFor(message.id)
    const text = renderText(decision.destination.text, language, program.defaultLanguage, {
      reference,
    })
    const started = await this.startFlow(message, decision.destination.flow, reference)

    this.options.metrics.routed({
      program: decision.program,
      category: decision.category,
      destination: 'answer',
      team: '',
    })
    this.logDecision(message, decision, reference)
    const acknowledgement = started ? undefined : text
    return { reference, acknowledgement, category: decision.category, rule: decision.rule }
  }

  /** Starts the rule's flow over SMS when one is named and a starter is wired. */
  private async startFlow(
    message: RoutableMessage,
    flowId: string | undefined,
    reference: string,
  ): Promise<boolean> {
    const start = this.options.startFlow
    if (flowId === undefined || start === undefined || message.channel !== 'sms') return false
    try {
      return await start({ flowId, message })
    } catch (error) {
      this.options.logger.error({ err: error, flow: flowId, reference }, 'flow did not start')
      return false
    }
  }

  private async openItem(
    message: RoutableMessage,
    decision: Decision,
    language: string,
    context: QueueItem['context'],
  ): Promise<QueueItem> {
    const destination = decision.destination
    if (destination.kind === 'answer') throw new TypeError('expected a queue or escalate rule')

    const now = this.options.now()
    const escalate = destination.kind === 'escalate'
    const urgent = escalate || decision.priority === 'urgent'
    const draft: Omit<QueueItem, 'reference'> = {
      team: destination.team,
      program: decision.program,
      category: decision.category,
      priority: escalate ? 'urgent' : decision.priority,
      rule: decision.rule,
      status: 'queued',
      version: 1,
      message: {
        id: message.id,
        channel: message.channel,
        from: message.from,
        to: message.to,
        text: message.text,
        receivedAt: message.receivedAt,
      },
      context,
      language,
      createdAt: message.receivedAt,
      queuedAt: now,
      ...(urgent ? { escalatedAt: now, escalation: 'rule' as const } : {}),
    }

    const { item, created } = await this.insert(draft)
    if (created) {
      this.options.metrics.routed({
        program: decision.program,
        category: decision.category,
        destination: destination.kind,
        team: destination.team,
      })
      if (urgent) this.options.metrics.escalated(item.team, 'rule')
      await this.options.queue.rememberRequest(message.from, {
        reference: item.reference,
        messageId: message.id,
        team: item.team,
        category: item.category,
        text: message.text,
        at: message.receivedAt,
        channel: message.channel,
      })
    }
    this.logDecision(message, decision, item.reference)

    // Repeated when the same message is routed again; timer ids and SMS keys make that a no-op.
    await this.options.timers.scheduleClaimDeadline(item)
    await this.options.timers.scheduleResolveDeadline(item)
    if (item.escalation === 'rule') await this.options.notifier.alert(item, 'urgent', now)
    return item
  }

  private async insert(draft: Omit<QueueItem, 'reference'>) {
    for (let attempt = 0; attempt < maxReferenceAttempts; attempt += 1) {
      const reference = referenceFor(draft.message.id, attempt)
      const result = await this.options.queue.open({ ...draft, reference })
      if (result.status === 'created') return { item: result.item, created: true }
      if (result.status === 'exists') return { item: result.item, created: false }
    }
    throw new Error(
      `Team ${draft.team} already has items under the first ${maxReferenceAttempts} references ` +
        `of message ${draft.message.id}; check the team's queue keys.`,
    )
  }

  private acknowledgement(program: ProgramRules, decision: Decision, item: QueueItem): string {
    const own = program.category(decision.category).acknowledgement
    const fallback =
      decision.destination.kind === 'escalate'
        ? routingMessages.acknowledgeEscalated
        : routingMessages.acknowledgeQueued
    return renderText(own ?? fallback, item.language, program.defaultLanguage, {
      reference: item.reference,
    })
  }

  private logDecision(message: RoutableMessage, decision: Decision, reference: string): void {
    const destination = decision.destination
    this.options.logger.info(
      {
        reference,
        messageId: message.id,
        channel: message.channel,
        from: maskMsisdn(message.from),
        program: decision.program,
        rule: decision.rule,
        category: decision.category,
        priority: decision.priority,
        destination: destination.kind,
        team: destination.kind === 'answer' ? undefined : destination.team,
      },
      'message routed',
    )
  }
}

/** The channel's context without the contact history, which the item context already sums up. */
function withoutHistory(
  context: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (context === undefined) return undefined
  const { history: _history, ...rest } = context
  return Object.keys(rest).length === 0 ? undefined : rest
}
