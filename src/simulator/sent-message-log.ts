/** One SMS as it left Switchboard, kept so the simulator can show it on the simulated phone. */
export interface SentMessage {
  /** Recipient in E.164 form. */
  readonly to: string
  readonly text: string
  readonly from?: string
  /** Milliseconds since the epoch. */
  readonly sentAt: number
  /** The outbox or provider id, when the sender has one. */
  readonly id?: string
}

/** Messages kept when the constructor is given no capacity. */
export const defaultSentMessageCapacity = 500

/**
 * The most recent SMS sent, in a fixed-size ring buffer: once full, each new message replaces the
 * oldest. It lives in process memory only, for the development simulator.
 */
export class SentMessageLog {
  private readonly messages: (SentMessage | undefined)[]
  private next = 0

  constructor(readonly capacity: number = defaultSentMessageCapacity) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`SentMessageLog capacity must be a positive integer, not ${capacity}.`)
    }
    this.messages = new Array<SentMessage | undefined>(capacity)
  }

  record(message: SentMessage): void {
    this.messages[this.next] = message
    this.next = (this.next + 1) % this.capacity
  }

  /** Returns the kept messages sent to `msisdn` (E.164), oldest first. */
  forNumber(msisdn: string): SentMessage[] {
    const found: SentMessage[] = []
    for (let offset = 0; offset < this.capacity; offset += 1) {
      const message = this.messages[(this.next + offset) % this.capacity]
      if (message !== undefined && message.to === msisdn) found.push(message)
    }
    return found
  }
}
