import type { EarlierRequest } from './item-context.ts'
import type { ItemEvent, QueueItem } from './queue-item.ts'

/** Result of `insert`. */
export type InsertResult =
  | { readonly status: 'created'; readonly item: QueueItem }
  /** The message was queued in this team before; `item` is the stored one. */
  | { readonly status: 'exists'; readonly item: QueueItem }
  /** Another message's item has this reference in this team; pick the next reference. */
  | { readonly status: 'reference-taken' }

/**
 * Team queues: per team a sorted set of queued items by priority then age, a sorted set of
 * leased items by lease end, one record per item and its activity log. Every implementation
 * passes the contract suite in `test/routing-queue-store.test.ts`.
 *
 * Changes are compare-and-set on the item's version: `TeamQueue` reads an item, works out the
 * next state, and `commit` saves it only if nobody saved it in between.
 */
export interface TeamQueueStore {
  /**
   * Adds a new item (version 1) with its first log event, unless the team already has an item
   * for its message id or its reference. One atomic step.
   */
  insert(item: QueueItem, event: ItemEvent): Promise<InsertResult>
  load(team: string, reference: string): Promise<QueueItem | null>
  /** The item's activity log, oldest first. */
  events(team: string, reference: string): Promise<ItemEvent[]>
  /**
   * Saves `item` if the stored version is `item.version - 1`, appends `events` to its log, and
   * files it by status: `queued` in the queue, `claimed` and `moving` among the leases until
   * `leaseUntil`, others in neither. A `resolved` or `moved` item expires after `retentionMs`.
   * Returns false on a version conflict and changes nothing.
   */
  commit(item: QueueItem, events: readonly ItemEvent[], retentionMs: number): Promise<boolean>
  /** References of queued items in queue order: priority, then age. */
  queued(team: string, limit: number): Promise<string[]>
  /** References of leased items (claimed or moving), soonest lease end first. */
  leased(team: string, limit: number): Promise<string[]>
  /** References of leased items whose lease ended at or before `now`. */
  expiredLeases(team: string, now: number, limit: number): Promise<string[]>
  counts(team: string): Promise<{ queued: number; leased: number }>
  /** Remembers a request of a person, for the context of their later messages. */
  rememberRequest(msisdn: string, request: EarlierRequest): Promise<void>
  /** The person's latest requests, newest first. */
  earlierRequests(msisdn: string): Promise<EarlierRequest[]>
  close(): Promise<void>
}

/** Requests remembered per person. */
export const rememberedRequests = 10
