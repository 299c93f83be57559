import type { EarlierRequest } from './item-context.ts'
import { queueScore, type ItemEvent, type QueueItem } from './queue-item.ts'
import { rememberedRequests, type InsertResult, type TeamQueueStore } from './team-queue-store.ts'

interface Team {
  readonly items: Map<string, { item: QueueItem; events: ItemEvent[]; expiresAt?: number }>
  readonly byMessage: Map<string, string>
}

/** Team queues in process memory, for a single process. Nothing survives a restart. */
export class MemoryTeamQueueStore implements TeamQueueStore {
  private readonly teams = new Map<string, Team>()
  private readonly requests = new Map<string, EarlierRequest[]>()

  constructor(private readonly now: () => number = Date.now) {}

  async insert(item: QueueItem, event: ItemEvent): Promise<InsertResult> {
    const team = this.team(item.team)
    const existing = team.byMessage.get(item.message.id)
    if (existing !== undefined) {
      const stored = this.entry(item.team, existing)
      if (stored !== undefined) return { status: 'exists', item: stored.item }
    }
    if (this.entry(item.team, item.reference) !== undefined) return { status: 'reference-taken' }

    const saved = { ...item, version: 1 }
    team.items.set(item.reference, { item: saved, events: [event] })
    team.byMessage.set(item.message.id, item.reference)
    return { status: 'created', item: saved }
  }

  async load(team: string, reference: string): Promise<QueueItem | null> {
    return this.entry(team, reference)?.item ?? null
  }

  async events(team: string, reference: string): Promise<ItemEvent[]> {
    return [...(this.entry(team, reference)?.events ?? [])]
  }

  async commit(
    item: QueueItem,
    events: readonly ItemEvent[],
    retentionMs: number,
  ): Promise<boolean> {
    const stored = this.entry(item.team, item.reference)
    if ((stored?.item.version ?? 0) !== item.version - 1) return false

    const finished = item.status === 'resolved' || item.status === 'moved'
    this.team(item.team).items.set(item.reference, {
      item,
      events: [...(stored?.events ?? []), ...events],
      expiresAt: finished ? this.now() + retentionMs : undefined,
    })
    return true
  }

  async queued(team: string, limit: number): Promise<string[]> {
    return this.live(team)
      .filter((item) => item.status === 'queued')
      .sort((a, b) => queueScore(a) - queueScore(b) || a.reference.localeCompare(b.reference))
      .slice(0, limit)
      .map((item) => item.reference)
  }

  async leased(team: string, limit: number): Promise<string[]> {
    return this.leasedItems(team)
      .slice(0, limit)
      .map((item) => item.reference)
  }

  async expiredLeases(team: string, now: number, limit: number): Promise<string[]> {
    return this.leasedItems(team)
      .filter((item) => (item.leaseUntil ?? 0) <= now)
      .slice(0, limit)
      .map((item) => item.reference)
  }

  async counts(team: string): Promise<{ queued: number; leased: number }> {
    const items = this.live(team)
    return {
      queued: items.filter((item) => item.status === 'queued').length,
      leased: items.filter((item) => isLeased(item)).length,
    }
  }

  async rememberRequest(msisdn: string, request: EarlierRequest): Promise<void> {
    const kept = (this.requests.get(msisdn) ?? []).filter(
      (earlier) => earlier.messageId !== request.messageId,
    )
    this.requests.set(msisdn, [request, ...kept].slice(0, rememberedRequests))
  }

  async earlierRequests(msisdn: string): Promise<EarlierRequest[]> {
    return [...(this.requests.get(msisdn) ?? [])]
  }

  async close(): Promise<void> {
    this.teams.clear()
    this.requests.clear()
  }

  private team(name: string): Team {
    let team = this.teams.get(name)
    if (team === undefined) {
      team = { items: new Map(), byMessage: new Map() }
      this.teams.set(name, team)
    }
    return team
  }

  /** Returns an item's entry, dropping it once its retention has passed. */
  private entry(team: string, reference: string) {
    const items = this.teams.get(team)?.items
    const entry = items?.get(reference)
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      items?.delete(reference)
      const byMessage = this.teams.get(team)?.byMessage
      if (byMessage?.get(entry.item.message.id) === reference)
        byMessage.delete(entry.item.message.id)
      return undefined
    }
    return entry
  }

  private live(team: string): QueueItem[] {
    const references = [...(this.teams.get(team)?.items.keys() ?? [])]
    return references.flatMap((reference) => this.entry(team, reference)?.item ?? [])
  }

  private leasedItems(team: string): QueueItem[] {
    return this.live(team)
      .filter((item) => isLeased(item))
      .sort((a, b) => (a.leaseUntil ?? 0) - (b.leaseUntil ?? 0))
  }
}

function isLeased(item: QueueItem): boolean {
  return item.status === 'claimed' || item.status === 'moving'
}
