import { normalizeMsisdn } from '../text/phone.ts'
import type { Flow } from './flow.ts'

/** A revision replaced by a newer one, kept for the sessions that started on it. */
interface RetiredFlow {
  readonly flow: Flow
  /** Milliseconds since the epoch when a session last asked for this revision. */
  lastUsedAt: number
  /** Milliseconds it stays available after its last use. */
  readonly keepForMs: number
}

/**
 * The loaded flows and the routes that lead to them. A flow replaced while running keeps its
 * previous revisions for the sessions that started on them.
 */
export class FlowRegistry {
  private readonly flows = new Map<string, Flow>()
  /** Keyed by `<flow id>@<revision>`. */
  private readonly retired = new Map<string, RetiredFlow>()
  private readonly ussdRoutes = new Map<string, string>()
  /** E.164 voice number to flow id. */
  private readonly voiceRoutes = new Map<string, string>()

  /** @param now Milliseconds since the epoch; injected for tests. */
  constructor(private readonly now: () => number = Date.now) {}

  add(flow: Flow): void {
    this.flows.set(flow.id, flow)
  }

  /**
   * Swaps in a new revision of a loaded flow, keeping its routes. The previous revision stays
   * available to `get(flowId, revision)` until `keepPreviousForMs` pass without a session asking
   * for it, so a session that started on it finishes on it. Raises when the flow is not loaded.
   */
  replace(flow: Flow, keepPreviousForMs: number): void {
    const previous = this.flows.get(flow.id)
    if (previous === undefined) {
      throw new Error(
        `Flow "${flow.id}" is not loaded, so it cannot be replaced. ` +
          `Loaded flows: ${[...this.flows.keys()].join(', ') || 'none'}. Restart to load a new flow.`,
      )
    }

    this.pruneRetired()
    if (previous.revision !== flow.revision) {
      const retired = { flow: previous, lastUsedAt: this.now(), keepForMs: keepPreviousForMs }
      this.retired.set(revisionKey(previous.id, previous.revision), retired)
    }
    // An edit undone brings back a retired revision, which is now the current one.
    this.retired.delete(revisionKey(flow.id, flow.revision))
    this.flows.set(flow.id, flow)
  }

  routeServiceCode(serviceCode: string, flowId: string): void {
    if (!this.flows.has(flowId)) {
      throw new Error(
        `USSD route ${serviceCode} points at flow "${flowId}", which is not loaded. ` +
          `Loaded flows: ${[...this.flows.keys()].join(', ') || 'none'}.`,
      )
    }
    this.ussdRoutes.set(serviceCode, flowId)
  }

  /**
   * Routes calls to `number` (normalised to E.164) to a flow. Raises when the flow is not loaded
   * or the number is not a phone number.
   */
  routeVoiceNumber(number: string, flowId: string, defaultCountryCode: string): void {
    const msisdn = normalizeMsisdn(number, defaultCountryCode)
    if (msisdn === null) {
      throw new Error(
        `Voice route "${number}" is not a phone number. Write it in international format, such as +254711000000.`,
      )
    }
    if (!this.flows.has(flowId)) {
      throw new Error(
        `Voice route ${number} points at flow "${flowId}", which is not loaded. ` +
          `Loaded flows: ${[...this.flows.keys()].join(', ') || 'none'}.`,
      )
    }
    this.voiceRoutes.set(msisdn, flowId)
  }

  /**
   * Returns the current flow, or with `revision` the revision a stored session started on while
   * it is still kept. An unknown revision, such as one from before a restart, gets the current
   * flow, whose version and migrations then decide whether the session can go on.
   */
  get(flowId: string, revision?: string): Flow | undefined {
    const current = this.flows.get(flowId)
    if (revision === undefined || current?.revision === revision) return current

    const key = revisionKey(flowId, revision)
    const retired = this.retired.get(key)
    if (retired === undefined) return current
    const now = this.now()
    if (now - retired.lastUsedAt > retired.keepForMs) {
      this.retired.delete(key)
      return current
    }
    retired.lastUsedAt = now
    return retired.flow
  }

  /** Revisions kept for running sessions besides the current ones, as `<flow id>@<revision>`. */
  retiredRevisions(): string[] {
    this.pruneRetired()
    return [...this.retired.keys()]
  }

  forServiceCode(serviceCode: string): Flow | undefined {
    const flowId = this.ussdRoutes.get(serviceCode.trim())
    return flowId === undefined ? undefined : this.flows.get(flowId)
  }

  serviceCodes(): ReadonlyMap<string, string> {
    return this.ussdRoutes
  }

  /** Returns the flow for calls to `msisdn`, which must already be in E.164 form. */
  forVoiceNumber(msisdn: string): Flow | undefined {
    const flowId = this.voiceRoutes.get(msisdn)
    return flowId === undefined ? undefined : this.flows.get(flowId)
  }

  /** E.164 voice number to flow id. */
  voiceNumbers(): ReadonlyMap<string, string> {
    return this.voiceRoutes
  }

  all(): Flow[] {
    return [...this.flows.values()]
  }

  private pruneRetired(): void {
    const now = this.now()
    for (const [key, retired] of this.retired) {
      if (now - retired.lastUsedAt > retired.keepForMs) this.retired.delete(key)
    }
  }
}

function revisionKey(flowId: string, revision: string): string {
  return `${flowId}@${revision}`
}
