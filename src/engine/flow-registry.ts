import { normalizeMsisdn } from '../text/phone.ts'
import type { Flow } from './flow.ts'

/** The loaded flows and the routes that lead to them. */
export class FlowRegistry {
  private readonly flows = new Map<string, Flow>()
  private readonly ussdRoutes = new Map<string, string>()
  /** E.164 voice number to flow id. */
  private readonly voiceRoutes = new Map<string, string>()

  add(flow: Flow): void {
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

  get(flowId: string): Flow | undefined {
    return this.flows.get(flowId)
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
}
