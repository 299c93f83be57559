import { randomUUID } from 'node:crypto'
import type { EarlierRequest } from './item-context.ts'
import type { ItemEvent, QueueItem } from './queue-item.ts'
import type { InsertResult, TeamQueueStore } from './team-queue-store.ts'

/** Reason an action on an item was not taken; the agent API maps each to an HTTP status. */
export type QueueProblem =
  | 'not-found'
  | 'not-claimed'
  | 'claimed-by-other'
  | 'lease-mismatch'
  | 'lease-expired'
  | 'resolved'
  | 'moved'
  | 'reference-taken'
  | 'busy'

export type QueueResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: QueueProblem; readonly message: string }

type Change =
  | { readonly item: QueueItem; readonly events: readonly ItemEvent[] }
  | { readonly ok: false; readonly problem: QueueProblem; readonly message: string }
  /** Nothing to change: the action already happened. */
  | { readonly unchanged: QueueItem }

/** A claim an agent holds: the item, the lease secret, and whether it was the item's first claim. */
export interface Claim {
  readonly item: QueueItem
  readonly lease: string
  readonly first: boolean
}

export interface TeamQueueOptions {
  readonly store: TeamQueueStore
  /** Milliseconds since the epoch; injected for tests. */
  readonly now: () => number
  /** Milliseconds a claim lasts; each reply renews it. */
  readonly leaseMs: number
  /** Milliseconds a resolved or transferred item is kept. */
  readonly retentionMs: number
  readonly newLease?: () => string
}

// A transfer marks the item `moving` for this long. When a crash cuts the transfer short, the item
// goes back to its queue as this lease ends.
const moveLeaseMs = 30_000

// Saves retried after a version conflict before the action reports `busy`.
const maxAttempts = 10

// Transfers followed to find where an item is now.
const maxHops = 5

const system = 'switchboard'

/**
 * The actions on team queues, as compare-and-set changes of one item at a time. Claims are
 * leases: an item whose lease ended goes back to its queue the next time its team's queue is read.
 */
export class TeamQueue {
  private readonly store: TeamQueueStore
  private readonly now: () => number
  private readonly newLease: () => string

  constructor(private readonly options: TeamQueueOptions) {
    this.store = options.store
    this.now = options.now
    this.newLease = options.newLease ?? randomUUID
  }

  get leaseMs(): number {
    return this.options.leaseMs
  }

  /** Adds a new item, or finds the one already opened for its message. */
  open(item: QueueItem): Promise<InsertResult> {
    const event: ItemEvent = { at: item.queuedAt, kind: 'queued', by: system }
    return this.store.insert(item, event)
  }

  /** Queued items in queue order, then claimed ones; expired claims are returned first. */
  async list(team: string, limit: number): Promise<QueueItem[]> {
    await this.releaseExpired(team)
    const references = [
      ...(await this.store.queued(team, limit)),
      ...(await this.store.leased(team, limit)),
    ].slice(0, limit)
    const items = await Promise.all(references.map((ref) => this.store.load(team, ref)))
    return items.filter((item): item is QueueItem => item !== null)
  }

  async get(
    team: string,
    reference: string,
  ): Promise<{ item: QueueItem; events: ItemEvent[] } | null> {
    await this.releaseExpired(team)
    const item = await this.store.load(team, reference)
    if (item === null) return null
    return { item, events: await this.store.events(team, reference) }
  }

  /** Follows transfers from `team` to the team that has the item now. */
  async locate(team: string, reference: string): Promise<QueueItem | null> {
    let current = await this.store.load(team, reference)
    for (let hop = 0; hop < maxHops && current?.status === 'moved'; hop += 1) {
      current = await this.store.load(current.movedTo ?? '', reference)
    }
    return current
  }

  counts(team: string): Promise<{ queued: number; leased: number }> {
    return this.store.counts(team)
  }

  rememberRequest(msisdn: string, request: EarlierRequest): Promise<void> {
    return this.store.rememberRequest(msisdn, request)
  }

  earlierRequests(msisdn: string): Promise<EarlierRequest[]> {
    return this.store.earlierRequests(msisdn)
  }

  /** Puts items whose claim or transfer lease ended back in the queue. */
  async releaseExpired(team: string): Promise<number> {
    const expired = await this.store.expiredLeases(team, this.now(), 100)
    let released = 0
    for (const reference of expired) {
      const result = await this.update(team, reference, (item, now) => {
        const leased = item.status === 'claimed' || item.status === 'moving'
        if (!leased || (item.leaseUntil ?? 0) > now) return { unchanged: item }
        return {
          item: { ...withoutClaim(item), status: 'queued' },
          events: [{ at: now, kind: 'lease-expired', by: system, text: item.claimedBy }],
        }
      })
      if (result.ok) released += 1
    }
    return released
  }

  /** Claims the first queued item: highest priority, then oldest. Null when the queue is empty. */
  async claimNext(team: string, agent: string): Promise<QueueResult<Claim | null>> {
    await this.releaseExpired(team)
    for (let round = 0; round < maxAttempts; round += 1) {
      const references = await this.store.queued(team, 20)
      if (references.length === 0) return { ok: true, value: null }

      for (const reference of references) {
        const claimed = await this.claimIf(team, reference, agent, 'queued-only')
        if (claimed.ok) return claimed
      }
    }
    return busy(team)
  }

  /** Claims one item: a queued one, or one whose claim ended. */
  claim(team: string, reference: string, agent: string): Promise<QueueResult<Claim>> {
    return this.claimIf(team, reference, agent, 'any')
  }

  /** Gives a claimed item back to the queue. */
  release(team: string, reference: string, lease: string): Promise<QueueResult<QueueItem>> {
    return this.update(team, reference, (item, now) => {
      const problem = leaseProblem(item, lease, now)
      if (problem !== undefined) return problem
      return {
        item: { ...withoutClaim(item), status: 'queued' },
        events: [{ at: now, kind: 'released', by: item.claimedBy ?? system }],
      }
    })
  }

  /**
   * Records a reply under the caller's claim and renews the claim. A reply with a `key` already
   * recorded changes nothing and returns `repeated: true`, so a retried request sends one SMS.
   */
  async reply(
    team: string,
    reference: string,
    lease: string,
    reply: { readonly text: string; readonly key: string },
  ): Promise<QueueResult<{ item: QueueItem; repeated: boolean }>> {
    const events = await this.store.events(team, reference)
    const repeated = events.some((event) => event.kind === 'reply' && event.key === reply.key)

    const result = await this.update(team, reference, (item, now) => {
      if (repeated && item.status !== 'moved') return { unchanged: item }
      const problem = leaseProblem(item, lease, now)
      if (problem !== undefined) return problem
      const by = item.claimedBy ?? system
      return {
        item: { ...item, leaseUntil: now + this.options.leaseMs },
        events: [{ at: now, kind: 'reply', by, text: reply.text, key: reply.key }],
      }
    })
    return result.ok ? { ok: true, value: { item: result.value, repeated } } : result
  }

  /** Adds a note for other agents; it needs no claim. */
  note(
    team: string,
    reference: string,
    agent: string,
    text: string,
  ): Promise<QueueResult<QueueItem>> {
    return this.update(team, reference, (item, now) => {
      if (item.status === 'moved') return movedProblem(item)
      return { item, events: [{ at: now, kind: 'note', by: agent, text }] }
    })
  }

  /**
   * Resolves an item under the caller's claim. Resolving a resolved item changes nothing and
   * returns `repeated: true`, so the caller can send the closing SMS again under the same key.
   */
  async resolve(
    team: string,
    reference: string,
    lease: string,
    text: string,
  ): Promise<QueueResult<{ item: QueueItem; repeated: boolean }>> {
    let repeated = false
    const result = await this.update(team, reference, (item, now) => {
      if (item.status === 'resolved') {
        repeated = true
        return { unchanged: item }
      }
      const problem = leaseProblem(item, lease, now)
      if (problem !== undefined) return problem
      const by = item.claimedBy ?? system
      return {
        item: {
          ...withoutClaim(item),
          status: 'resolved',
          resolvedAt: now,
          resolvedBy: by,
          resolution: text,
        },
        events: [{ at: now, kind: 'resolved', by, text }],
      }
    })
    return result.ok ? { ok: true, value: { item: result.value, repeated } } : result
  }

  /**
   * Moves an item to another team's queue: queued, or claimed under the caller's lease. The
   * item is marked `moving` first, so a crash before the copy exists puts it back in this queue
   * when the short move lease ends.
   */
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
    const marked = await this.update(team, reference, (item, now) => {
      if (item.status === 'claimed') {
        const problem = leaseProblem(item, transfer.lease ?? '', now)
        if (problem !== undefined) return problem
      } else if (item.status !== 'queued' && item.status !== 'moving') {
        return item.status === 'resolved' ? resolvedProblem(item) : movedProblem(item)
      }
      return {
        item: {
          ...withoutClaim(item),
          status: 'moving',
          movedTo: transfer.to,
          leaseUntil: now + moveLeaseMs,
        },
        events: [],
      }
    })
    if (!marked.ok) return marked

    const now = this.now()
    const source = marked.value
    const copy: QueueItem = {
      ...withoutClaim(source),
      team: transfer.to,
      status: 'queued',
      version: 1,
      queuedAt: now,
      claimedInTeamAt: undefined,
      escalatedAt: undefined,
      escalation: undefined,
      movedTo: undefined,
      leaseUntil: undefined,
    }
    const event: ItemEvent = {
      at: now,
      kind: 'transferred-in',
      by: transfer.agent,
      team,
      ...(transfer.note === undefined ? {} : { text: transfer.note }),
    }
    const inserted = await this.store.insert(copy, event)

    if (inserted.status === 'reference-taken') {
      await this.update(team, reference, (item) =>
        item.status === 'moving'
          ? { item: { ...withoutClaim(item), status: 'queued', movedTo: undefined }, events: [] }
          : { unchanged: item },
      )
      return {
        ok: false,
        problem: 'reference-taken',
        message: `Team ${transfer.to} already has another item ${reference}. Transfer it to another team.`,
      }
    }

    const moved = await this.update(team, reference, (item, at) => {
      if (item.status !== 'moving') return { unchanged: item }
      return {
        item: { ...withoutClaim(item), status: 'moved' },
        events: [
          {
            at,
            kind: 'transferred-out',
            by: transfer.agent,
            team: transfer.to,
            ...(transfer.note === undefined ? {} : { text: transfer.note }),
          },
        ],
      }
    })
    if (!moved.ok) return moved
    return { ok: true, value: inserted.item }
  }

  /**
   * Escalates an item nobody claimed since it was queued at `queuedAt`, once: it becomes urgent.
   * Returns the item with `fresh: true` when this call escalated it, `fresh: false` when an
   * earlier call did (so a retried timer can alert again under the same keys), and null when it
   * was claimed, moved or resolved first.
   */
  async escalateUnclaimed(
    team: string,
    reference: string,
    queuedAt: number,
  ): Promise<{ item: QueueItem; fresh: boolean } | null> {
    let fresh = false
    const result = await this.update(team, reference, (item, now) => {
      if (item.queuedAt !== queuedAt || item.claimedInTeamAt !== undefined)
        return { unchanged: item }
      if (item.escalatedAt !== undefined || item.status !== 'queued') return { unchanged: item }
      fresh = true
      return {
        item: { ...item, priority: 'urgent', escalatedAt: now, escalation: 'unclaimed' },
        events: [{ at: now, kind: 'escalated', by: system, text: 'not claimed in time' }],
      }
    })
    if (!result.ok) return null

    const item = result.value
    const escalated = item.escalation === 'unclaimed' && item.queuedAt === queuedAt
    const open = item.status === 'queued' || item.status === 'claimed'
    return escalated && open && (fresh || item.claimedInTeamAt === undefined)
      ? { item, fresh }
      : null
  }

  /** Records that the person was sent the "still working" update. */
  async markUpdateSent(team: string, reference: string): Promise<void> {
    await this.update(team, reference, (item, now) => {
      if (item.updateSentAt !== undefined) return { unchanged: item }
      return {
        item: { ...item, updateSentAt: now },
        events: [{ at: now, kind: 'update-sent', by: system }],
      }
    })
  }

  private claimIf(
    team: string,
    reference: string,
    agent: string,
    mode: 'queued-only' | 'any',
  ): Promise<QueueResult<Claim>> {
    const lease = this.newLease()
    let first = false
    return this.update(team, reference, (item, now) => {
      const expired = item.status === 'claimed' && (item.leaseUntil ?? 0) <= now
      if (item.status === 'resolved') return resolvedProblem(item)
      if (item.status === 'moved' || item.status === 'moving') return movedProblem(item)
      if (item.status === 'claimed' && !(expired && mode === 'any')) {
        return {
          ok: false,
          problem: 'claimed-by-other',
          message: `${item.reference} is claimed by ${item.claimedBy ?? 'another agent'} until ${new Date(item.leaseUntil ?? 0).toISOString()}.`,
        }
      }
      first = item.firstClaimedAt === undefined
      return {
        item: {
          ...item,
          status: 'claimed',
          claimedBy: agent,
          lease,
          leaseUntil: now + this.options.leaseMs,
          claimedInTeamAt: item.claimedInTeamAt ?? now,
          firstClaimedAt: item.firstClaimedAt ?? now,
        },
        events: [{ at: now, kind: 'claimed', by: agent }],
      }
    }).then((result) =>
      result.ok ? { ok: true, value: { item: result.value, lease, first } } : result,
    )
  }

  /** Applies `change` to the stored item with compare-and-set, retrying after a conflict. */
  private async update(
    team: string,
    reference: string,
    change: (item: QueueItem, now: number) => Change,
  ): Promise<QueueResult<QueueItem>> {
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      const stored = await this.store.load(team, reference)
      if (stored === null) {
        return {
          ok: false,
          problem: 'not-found',
          message: `Team ${team} has no item ${reference}.`,
        }
      }

      const outcome = change(stored, this.now())
      if ('unchanged' in outcome) return { ok: true, value: outcome.unchanged }
      if ('ok' in outcome) return outcome

      const next = { ...outcome.item, version: stored.version + 1 }
      if (await this.store.commit(next, outcome.events, this.options.retentionMs)) {
        return { ok: true, value: next }
      }
    }
    return busy(team)
  }
}

/** Checks that `lease` allows acting on `item` now: returns the problem, or undefined. */
function leaseProblem(item: QueueItem, lease: string, now: number) {
  if (item.status === 'resolved') return resolvedProblem(item)
  if (item.status === 'moved' || item.status === 'moving') return movedProblem(item)
  if (item.status !== 'claimed') {
    return {
      ok: false as const,
      problem: 'not-claimed' as const,
      message: `${item.reference} is not claimed. Claim it first.`,
    }
  }
  if (item.lease !== lease) {
    return {
      ok: false as const,
      problem: 'lease-mismatch' as const,
      message: `${item.reference} is claimed by ${item.claimedBy ?? 'another agent'} under another claim. Claim it again when it is free.`,
    }
  }
  if ((item.leaseUntil ?? 0) <= now) {
    return {
      ok: false as const,
      problem: 'lease-expired' as const,
      message: `Your claim on ${item.reference} expired at ${new Date(item.leaseUntil ?? 0).toISOString()}. Claim it again.`,
    }
  }
  return undefined
}

function resolvedProblem(item: QueueItem) {
  return {
    ok: false as const,
    problem: 'resolved' as const,
    message: `${item.reference} is already resolved.`,
  }
}

function movedProblem(item: QueueItem) {
  return {
    ok: false as const,
    problem: 'moved' as const,
    message: `${item.reference} was transferred to team ${item.movedTo ?? 'another team'}.`,
  }
}

function busy(team: string) {
  return {
    ok: false as const,
    problem: 'busy' as const,
    message: `Team ${team}'s queue changed on every attempt. Try again.`,
  }
}

function withoutClaim(item: QueueItem): QueueItem {
  return { ...item, claimedBy: undefined, lease: undefined, leaseUntil: undefined }
}
