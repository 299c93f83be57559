import type { Flow } from './flow.ts'

/** The loaded flows and the routes that lead to them. */
export class FlowRegistry {
  private readonly flows = new Map<string, Flow>()
  private readonly ussdRoutes = new Map<string, string>()

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

  all(): Flow[] {
    return [...this.flows.values()]
  }
}
