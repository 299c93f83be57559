import type { ItemContext } from './item-context.ts'

export type Priority = 'urgent' | 'high' | 'normal'

/** Queue order: lower ranks first, then older items first. */
export const priorityRank: Record<Priority, number> = { urgent: 0, high: 1, normal: 2 }

/**
 * `queued` waits for an agent; `claimed` is leased to one; `moving` is on its way to another
 * team (a short lease, so a transfer cut short puts it back); `moved` is the copy a transfer left
 * behind; `resolved` is closed.
 */
export type ItemStatus = 'queued' | 'claimed' | 'moving' | 'moved' | 'resolved'

/** The message an item was opened for. */
export interface ItemMessage {
  readonly id: string
  readonly channel: 'sms' | 'ussd' | 'voice'
  /** The person, in E.164 form. */
  readonly from: string
  /** The short code, USSD code or voice number the person reached. */
  readonly to: string
  readonly text: string
  /** Milliseconds since the epoch. */
  readonly receivedAt: number
}

/** One message routed to a team, as the queue stores it. Times are milliseconds since the epoch. */
export interface QueueItem {
  /** Shown to the person and to agents, e.g. `REF-7KX4M2`; unique within a team. */
  readonly reference: string
  readonly team: string
  readonly program: string
  readonly category: string
  readonly priority: Priority
  /** Id of the rule that routed the message. */
  readonly rule: string
  readonly status: ItemStatus
  /** Raised by one on every save; a save succeeds only against the version it read. */
  readonly version: number
  readonly message: ItemMessage
  readonly context: ItemContext
  /** Language of the texts sent to the person. */
  readonly language: string
  readonly createdAt: number
  /** When the item entered this team's queue; a transfer sets it again. */
  readonly queuedAt: number
  /** First claim in this team; the unclaimed escalation only fires while it is unset. */
  readonly claimedInTeamAt?: number
  /** First claim of all, for the time-to-claim metric. */
  readonly firstClaimedAt?: number
  readonly claimedBy?: string
  /** Secret of the current claim; replies and resolving must present it. */
  readonly lease?: string
  readonly leaseUntil?: number
  /** Set when the item was escalated in this team: by its rule, or because nobody claimed it. */
  readonly escalatedAt?: number
  readonly escalation?: 'rule' | 'unclaimed'
  /** When the person was sent the "still working on it" update. */
  readonly updateSentAt?: number
  readonly resolvedAt?: number
  readonly resolvedBy?: string
  readonly resolution?: string
  /** The team a `moving` or `moved` item went to. */
  readonly movedTo?: string
}

/** One line of an item's activity log. */
export interface ItemEvent {
  readonly at: number
  readonly kind:
    | 'queued'
    | 'claimed'
    | 'released'
    | 'lease-expired'
    | 'reply'
    | 'note'
    | 'transferred-out'
    | 'transferred-in'
    | 'escalated'
    | 'update-sent'
    | 'resolved'
  /** The agent, or `switchboard` for what the system did. */
  readonly by: string
  readonly text?: string
  /** The other team of a transfer. */
  readonly team?: string
  /** Idempotency key of a reply, so a retried request records it once. */
  readonly key?: string
}

/** Score of a queued item in its team's sorted set: priority first, then age. */
export function queueScore(item: Pick<QueueItem, 'priority' | 'queuedAt'>): number {
  // Times in milliseconds stay below 1e13 until the year 2286, so ranks never overlap.
  return priorityRank[item.priority] * 1e13 + item.queuedAt
}
