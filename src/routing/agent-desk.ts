import type { Logger } from 'pino'
import type { ItemEvent, QueueItem } from './queue-item.ts'
import { ItemTexts } from './item-texts.ts'
import type { OnCallNotifier, SmsOutbox } from './on-call-notifier.ts'
import type { RoutingMetrics } from './routing-metrics.ts'
import type { RoutingTimers, SentSms } from './routing-timers.ts'
import type { RuleBookSource } from './rule-book-source.ts'
import type { Claim, QueueResult, TeamQueue } from './team-queue.ts'

export interface AgentDeskOptions {
  readonly queue: TeamQueue
  readonly rules: RuleBookSource
  readonly outbox: SmsOutbox
  readonly timers: RoutingTimers
  readonly notifier: OnCallNotifier
  readonly metrics: RoutingMetrics
  readonly logger: Logger
  readonly now: () => number
  /** Records an SMS sent to the person in their contact history. */
  readonly recordSent: (item: QueueItem, sent: SentSms) => Promise<void>
}

/**
 * What agents do with items, with the effects each action has beyond the queue: replies and the
 * closing message go to the person by SMS through the outbox, a transfer starts the new team's
 * claim deadline, and claims and resolutions feed the metrics.
 */
export class AgentDesk {
  constructor(private readonly options: AgentDeskOptions) {}

  list(team: string, limit: number): Promise<QueueItem[]> {
    return this.options.queue.list(team, limit)
  }

  get(team: string, reference: string): Promise<{ item: QueueItem; events: ItemEvent[] } | null> {
    return this.options.queue.get(team, reference)
  }

  async claimNext(team: string, agent: string): Promise<QueueResult<Claim | null>> {
    const result = await this.options.queue.claimNext(team, agent)
    if (result.ok && result.value !== null) this.recordClaim(result.value)
    return result
  }

  async claim(team: string, reference: string, agent: string): Promise<QueueResult<Claim>> {
    const result = await this.options.queue.claim(team, reference, agent)
    if (result.ok) this.recordClaim(result.value)
    return result
  }

  release(team: string, reference: string, lease: string): Promise<QueueResult<QueueItem>> {
    return this.options.queue.release(team, reference, lease)
  }

  note(team: string, reference: string, agent: string, text: string) {
    return this.options.queue.note(team, reference, agent, text)
  }

  /** Sends the person `text` by SMS; `key` makes a retried request send it once. */
  async reply(
    team: string,
    reference: string,
    lease: string,
    reply: { readonly text: string; readonly key: string },
  ): Promise<QueueResult<QueueItem>> {
    const result = await this.options.queue.reply(team, reference, lease, reply)
    if (!result.ok) return result

    const { item } = result.value
    const sms = this.texts(item).reply(reply.text)
    const key = `routing:${item.reference}:${item.message.id}:reply:${reply.key}`
    await this.options.outbox.enqueue({
      idempotencyKey: key,
      to: item.message.from,
      text: sms,
      context: { reference: item.reference, team: item.team, category: 'transactional' },
    })
    if (!result.value.repeated) {
      await this.options.recordSent(item, { text: sms, key, outcome: `reply:${item.reference}` })
    }
    return { ok: true, value: item }
  }

  /** Resolves the item and sends the person the closing SMS with the reference. */
  async resolve(
    team: string,
    reference: string,
    lease: string,
    text: string,
  ): Promise<QueueResult<QueueItem>> {
    const result = await this.options.queue.resolve(team, reference, lease, text)
    if (!result.ok) return result

    // A repeated resolve sends the stored resolution again under the same key: one SMS.
    const { item, repeated } = result.value
    const sms = this.texts(item).resolved(item.resolution ?? text)
    const key = `routing:${item.reference}:${item.message.id}:resolved`
    await this.options.outbox.enqueue({
      idempotencyKey: key,
      to: item.message.from,
      text: sms,
      context: { reference: item.reference, team: item.team, category: 'transactional' },
    })
    if (!repeated) {
      const seconds = ((item.resolvedAt ?? this.options.now()) - item.createdAt) / 1000
      this.options.metrics.resolved(item.team, item.category, seconds)
      await this.options.recordSent(item, { text: sms, key, outcome: `resolved:${item.reference}` })
      this.options.logger.info(
        { reference, team, category: item.category, by: item.resolvedBy },
        'item resolved',
      )
    }
    return { ok: true, value: item }
  }

  /** Moves the item to `to`'s queue; an urgent item alerts that team's on-call staff too. */
  async transfer(
    team: string,
    reference: string,
    transfer: {
      readonly to: string
      readonly agent: string
      readonly lease?: string
      readonly note?: string
    },
  ): Promise<QueueResult<QueueItem>> {
    const result = await this.options.queue.transfer(team, reference, transfer)
    if (!result.ok) return result

    const item = result.value
    await this.options.timers.scheduleClaimDeadline(item)
    if (item.priority === 'urgent')
      await this.options.notifier.alert(item, 'urgent', this.options.now())
    this.options.logger.info({ reference, from: team, to: transfer.to }, 'item transferred')
    return result
  }

  private recordClaim(claim: Claim): void {
    if (!claim.first) return
    const { item } = claim
    const seconds = ((item.firstClaimedAt ?? this.options.now()) - item.createdAt) / 1000
    this.options.metrics.claimed(item.team, item.category, seconds)
  }

  private texts(item: QueueItem): ItemTexts {
    return new ItemTexts(item, this.options.rules.current().program(item.program))
  }
}
