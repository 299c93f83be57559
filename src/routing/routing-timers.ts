import type { Logger } from 'pino'
import type { TimerHandler } from '../engine/timer-worker.ts'
import type { TimerRecord } from '../store/session-store.ts'
import { ItemTexts } from './item-texts.ts'
import type { Alert, OnCallNotifier, SmsOutbox } from './on-call-notifier.ts'
import type { QueueItem } from './queue-item.ts'
import type { RoutingMetrics } from './routing-metrics.ts'
import type { RuleBookSource } from './rule-book-source.ts'
import type { TeamQueue } from './team-queue.ts'

export interface RoutingTimersOptions {
  readonly queue: TeamQueue
  readonly rules: RuleBookSource
  readonly notifier: OnCallNotifier
  readonly outbox: SmsOutbox
  readonly timers: { scheduleTimer(timer: TimerRecord): Promise<void> }
  readonly metrics: RoutingMetrics
  readonly logger: Logger
  /** Records an SMS sent to the person in their contact history. */
  readonly recordSent: (item: QueueItem, sent: SentSms) => Promise<void>
}

/** An SMS routing sent to a person, for their contact history. */
export interface SentSms {
  readonly text: string
  /** The outbox idempotency key. */
  readonly key: string
  /** `reply:<reference>`, `resolved:<reference>`, `still-working:<reference>`. */
  readonly outcome: string
}

/** Prefix of the session key of every routing timer; the timer worker hands these to us. */
export const routingTimerPrefix = 'routing:'

/**
 * Service levels as durable timers in the session store: an item not claimed within its
 * category's `claimWithin` is escalated once; an item not resolved within `resolveWithin` gets
 * the person one "still working on it" SMS. Each timer checks the item when it fires, so a timer
 * for an item that moved on does nothing.
 */
export class RoutingTimers implements TimerHandler {
  constructor(private readonly options: RoutingTimersOptions) {}

  owns(sessionKey: string): boolean {
    return sessionKey.startsWith(routingTimerPrefix)
  }

  /** Schedules the claim deadline of an item in its current team. */
  async scheduleClaimDeadline(item: QueueItem): Promise<void> {
    const claimWithin = this.category(item)?.claimWithin
    if (claimWithin === undefined) return
    await this.schedule(item, `unclaimed:${item.queuedAt}`, item.queuedAt + claimWithin, {
      type: 'routing.unclaimed',
      queuedAt: item.queuedAt,
    })
  }

  /** Schedules the resolution deadline of a new item. */
  async scheduleResolveDeadline(item: QueueItem): Promise<void> {
    const resolveWithin = this.category(item)?.resolveWithin
    if (resolveWithin === undefined) return
    await this.schedule(item, 'still-working', item.createdAt + resolveWithin, {
      type: 'routing.still-working',
    })
  }

  async fire(timer: TimerRecord, now: number): Promise<void> {
    const { team, reference } = timer.event as { team?: string; reference?: string }
    if (team === undefined || reference === undefined) {
      this.options.logger.warn(
        { timer: timer.id },
        'routing timer without team or reference dropped',
      )
      return
    }

    if (timer.event.type === 'routing.unclaimed') {
      await this.fireUnclaimed(team, reference, Number(timer.event['queuedAt']), now)
    } else if (timer.event.type === 'routing.still-working') {
      await this.fireStillWorking(team, reference)
    } else if (timer.event.type === 'routing.webhook') {
      const item = await this.options.queue.locate(team, reference)
      const alert = timer.event['alert'] as Alert
      const attempt = Number(timer.event['attempt'] ?? 1)
      if (item !== null) await this.options.notifier.postAlert(item, alert, attempt, now)
    } else {
      this.options.logger.warn(
        { timer: timer.id, type: timer.event.type },
        'unknown routing timer dropped',
      )
    }
  }

  private async fireUnclaimed(team: string, reference: string, queuedAt: number, now: number) {
    const escalated = await this.options.queue.escalateUnclaimed(team, reference, queuedAt)
    if (escalated === null) return

    const { item, fresh } = escalated
    if (fresh) {
      this.options.metrics.escalated(item.team, 'unclaimed')
      this.options.logger.warn(
        { reference, team, category: item.category, waitedMs: now - item.queuedAt },
        'item not claimed in time; escalated',
      )
    }
    // Repeated when a timer fired before is retried; the alert's keys make that send nothing new.
    await this.options.notifier.alert(item, 'unclaimed', now)
  }

  private async fireStillWorking(team: string, reference: string) {
    // The SMS is queued before the item records it, so a crash in between sends it on the retry;
    // its idempotency key keeps that to one SMS.
    const item = await this.options.queue.locate(team, reference)
    const open = item?.status === 'queued' || item?.status === 'claimed'
    if (item === null || !open || item.updateSentAt !== undefined) return

    const rules = this.options.rules.current().program(item.program)
    const text = new ItemTexts(item, rules).stillWorking()
    const key = `routing:${item.reference}:${item.message.id}:still-working`
    await this.options.outbox.enqueue({
      idempotencyKey: key,
      to: item.message.from,
      text,
      context: { reference: item.reference, team: item.team, category: 'transactional' },
    })
    await this.options.queue.markUpdateSent(item.team, item.reference)
    await this.options.recordSent(item, { text, key, outcome: `still-working:${item.reference}` })
    this.options.logger.info({ reference, team: item.team }, 'sent the still-working update')
  }

  private category(item: QueueItem) {
    return this.options.rules.current().program(item.program)?.category(item.category)
  }

  private schedule(
    item: QueueItem,
    name: string,
    dueAt: number,
    event: { readonly type: string; readonly [key: string]: unknown },
  ) {
    return this.options.timers.scheduleTimer({
      id: `routing:${item.team}:${item.reference}:${name}`,
      sessionKey: `${routingTimerPrefix}${item.team}:${item.reference}`,
      version: 0,
      event: { ...event, team: item.team, reference: item.reference },
      dueAt,
    })
  }
}
