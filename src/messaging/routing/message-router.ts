/** A message from a person that no flow or open question took, on its way to a team. */
export interface RoutableMessage {
  /** Unique per message: `<provider>:<provider id>` for an SMS. */
  readonly id: string
  readonly channel: 'sms' | 'ussd' | 'voice'
  /** Sender in E.164 form. */
  readonly from: string
  /** Short code, long number or service code the message was sent to. */
  readonly to: string
  /** The text exactly as the sender wrote it. */
  readonly text: string
  /** `text` normalised for matching (NFKC, digits folded, invisible characters removed). */
  readonly matchText: string
  /** Milliseconds since the epoch. */
  readonly receivedAt: number
  /** The sender's language code, when known (`en`, `sw`). */
  readonly language?: string
  /** What else is known: recent messages and sessions, open questions, why it was routed. */
  readonly context?: Readonly<Record<string, unknown>>
}

/** Where a routed message went. */
export interface RoutingOutcome {
  /** Reference the sender and the team can quote (`MSG-4F2A9C`). */
  readonly reference: string
  /** Text sent back to the sender by SMS; none is sent when absent. */
  readonly acknowledgement?: string
  /** Queue or kind the message was filed under (`general`, `billing`). */
  readonly category?: string
  /** Name of the rule that decided, for logs and reports. */
  readonly rule?: string
}

/** Decides what happens to a message that no flow or open question took. */
export interface MessageRouter {
  route(message: RoutableMessage): Promise<RoutingOutcome>
}
