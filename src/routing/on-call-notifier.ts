import type { Logger } from 'pino'
import type { OutboxRequest } from '../messaging/outbox.ts'
import type { TimerRecord } from '../store/session-store.ts'
import { maskMsisdn } from '../text/phone.ts'
import { ItemTexts } from './item-texts.ts'
import { postWebhook } from './post-webhook.ts'
import type { QueueItem } from './queue-item.ts'
import type { RuleBookSource } from './rule-book-source.ts'

/** What on-call staff are told about: an urgent item, or one nobody claimed in time. */
export type Alert = 'urgent' | 'unclaimed'

/** The outbox as routing uses it. */
export interface SmsOutbox {
  enqueue(request: OutboxRequest): Promise<{ id: string; created: boolean }>
}

export interface OnCallNotifierOptions {
  readonly rules: RuleBookSource
  readonly outbox: SmsOutbox
  readonly timers: { scheduleTimer(timer: TimerRecord): Promise<void> }
  readonly logger: Logger
  readonly fetch?: typeof fetch
}

/** Webhook attempts before an alert is given up on. */
export const maxWebhookAttempts = 5

// Seconds before the second attempt; each later one waits twice as long.
const firstRetrySeconds = 10

/**
 * Tells a team's on-call staff about an item: an SMS to the team's `onCall` number through the
 * outbox, and a POST to its `webhook`, both as configured in the item's rules file. The webhook is
 * a durable timer due at once, retried with back-off, so a crash or a slow endpoint loses no
 * alert; the SMS goes out under an idempotency key, so a repeated alert sends it once.
 */
export class OnCallNotifier {
  constructor(private readonly options: OnCallNotifierOptions) {}

  async alert(item: QueueItem, alert: Alert, now: number): Promise<void> {
    const rules = this.options.rules.current().program(item.program)
    const team = rules?.team(item.team) ?? {}

    if (team.onCall !== undefined) {
      await this.options.outbox.enqueue({
        idempotencyKey: `routing:${item.team}:${item.reference}:on-call:${alert}`,
        to: team.onCall,
        text: new ItemTexts(item, rules).staff(alert, now),
        context: { reference: item.reference, team: item.team, alert, category: 'transactional' },
      })
    }
    if (team.webhook !== undefined) await this.scheduleWebhook(item, alert, 1, now)
    if (team.onCall === undefined && team.webhook === undefined) {
      this.options.logger.warn(
        { reference: item.reference, team: item.team, alert },
        'team has no onCall number or webhook in its rules file; nobody was alerted',
      )
    }
  }

  /** Fires one webhook attempt; a failed one schedules the next until the attempts run out. */
  async postAlert(item: QueueItem, alert: Alert, attempt: number, now: number): Promise<void> {
    const rules = this.options.rules.current().program(item.program)
    const webhook = rules?.team(item.team).webhook
    if (webhook === undefined) return

    const result = await postWebhook(
      webhook.url,
      webhookBody(item, alert, now),
      webhook.timeoutMs,
      this.options.fetch,
    )
    const log = { reference: item.reference, team: item.team, alert, attempt }
    if (result.ok) {
      this.options.logger.info({ ...log, status: result.status }, 'on-call webhook delivered')
      return
    }
    if (attempt >= maxWebhookAttempts) {
      this.options.logger.error(
        { ...log, reason: result.reason },
        'on-call webhook failed; giving up',
      )
      return
    }
    this.options.logger.warn(
      { ...log, reason: result.reason },
      'on-call webhook failed; will retry',
    )
    const delay = firstRetrySeconds * 1000 * 2 ** (attempt - 1)
    await this.scheduleWebhook(item, alert, attempt + 1, now + delay)
  }

  private scheduleWebhook(item: QueueItem, alert: Alert, attempt: number, dueAt: number) {
    return this.options.timers.scheduleTimer({
      id: `routing:${item.team}:${item.reference}:webhook:${alert}:${attempt}`,
      sessionKey: `routing:${item.team}:${item.reference}`,
      version: 0,
      event: {
        type: 'routing.webhook',
        team: item.team,
        reference: item.reference,
        alert,
        attempt,
      },
      dueAt,
    })
  }
}

/** The JSON a webhook receives. The person's number is masked; agents see it in the inbox. */
function webhookBody(item: QueueItem, alert: Alert, now: number) {
  return {
    event: alert === 'urgent' ? 'routing.urgent' : 'routing.unclaimed',
    id: `${item.team}:${item.reference}:${alert}`,
    reference: item.reference,
    team: item.team,
    program: item.program,
    category: item.category,
    priority: item.priority,
    rule: item.rule,
    channel: item.message.channel,
    from: maskMsisdn(item.message.from),
    text: item.message.text,
    receivedAt: new Date(item.message.receivedAt).toISOString(),
    sentAt: new Date(now).toISOString(),
  }
}
