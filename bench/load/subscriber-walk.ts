/** Service code routed to the benchmark flow in bench/flows/routes.yaml. */
export const serviceCode = '*384*7#'

/**
 * Cumulative `text` of the five hops of one walk through the benchmark flow: the menu, "Buy",
 * "Rice", an amount of 500, "Confirm". Africa's Talking sends every input so far, joined by `*`.
 */
export const walkTexts = ['', '1', '1*2', '1*2*500', '1*2*500*1'] as const

export const hopsPerWalk = walkTexts.length

/** Builds the form body Africa's Talking posts for one USSD hop, with its field names and order. */
export function hopForm(sessionId: string, phoneNumber: string, text: string): string {
  return new URLSearchParams({
    sessionId,
    serviceCode,
    phoneNumber,
    networkCode: '63902',
    text,
  }).toString()
}

/** Identifiers of simulated subscribers, unique across every server and run of one benchmark. */
export class SubscriberIds {
  private next = 0

  constructor(private readonly tag: string) {}

  /** Returns a new session id in Africa's Talking's `ATUid_` style and a Kenyan phone number. */
  take(): { sessionId: string; phoneNumber: string } {
    const serial = this.next
    this.next += 1
    return {
      sessionId: `ATUid_${this.tag}_${serial.toString(36)}`,
      phoneNumber: `+2547${String(10_000_000 + (serial % 90_000_000))}`,
    }
  }
}
