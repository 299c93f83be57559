import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import type { LocalizedText } from '../../engine/flow.ts'
import { localize } from '../../engine/localize.ts'
import { maskMsisdn } from '../../text/phone.ts'
import { fillTemplate } from '../../text/template.ts'
import type { MessageRouter, RoutableMessage, RoutingOutcome } from './message-router.ts'

/** A message the router took, with the reference it got. */
export interface RoutedMessage {
  readonly reference: string
  readonly message: RoutableMessage
  /** Milliseconds since the epoch. */
  readonly routedAt: number
}

export interface AcknowledgingRouterOptions {
  readonly logger: Logger
  /** Language of the acknowledgement when the sender's is not known. */
  readonly defaultLanguage: string
  /** `{{reference}}` is the message's reference. */
  readonly acknowledgement?: LocalizedText
  /** Messages kept for `recent()`; the oldest go first. */
  readonly keep?: number
  readonly now?: () => number
}

export const defaultAcknowledgement: LocalizedText = {
  en: 'We received your message. Ref {{reference}}. Our team will reply soon.',
  sw: 'Tumepokea ujumbe wako. Kumbukumbu {{reference}}. Timu yetu itakujibu hivi karibuni.',
}

/**
 * The router used when no rules are configured: every message gets a reference and the
 * acknowledgement "We received your message. Ref MSG-4F2A9C. Our team will reply soon." in the
 * sender's language, and is logged and kept with its context.
 *
 * NOTE: messages are kept in process memory only, for `recent()`. The inbound store keeps each
 * message with its `routed:<reference>` outcome for its dedupe window; a team queue needs a
 * router that files them somewhere durable.
 */
export class AcknowledgingRouter implements MessageRouter {
  private readonly routed: RoutedMessage[] = []

  constructor(private readonly options: AcknowledgingRouterOptions) {}

  async route(message: RoutableMessage): Promise<RoutingOutcome> {
    const reference = referenceFor(message.id)
    this.keep({ reference, message, routedAt: (this.options.now ?? Date.now)() })
    this.options.logger.info(
      { reference, channel: message.channel, from: maskMsisdn(message.from), to: message.to },
      'message routed for a reply by the team',
    )

    const template = this.options.acknowledgement ?? defaultAcknowledgement
    const language = message.language ?? this.options.defaultLanguage
    const text = localize(template, language, this.options.defaultLanguage)
    return {
      reference,
      acknowledgement: fillTemplate(text, { reference }),
      category: 'general',
      rule: 'acknowledge',
    }
  }

  /** Returns the messages routed most recently, newest first. */
  recent(): readonly RoutedMessage[] {
    return [...this.routed].reverse()
  }

  private keep(entry: RoutedMessage): void {
    // A message handled again after a crash keeps one entry.
    if (this.routed.some((routed) => routed.message.id === entry.message.id)) return
    this.routed.push(entry)
    if (this.routed.length > (this.options.keep ?? 1000)) this.routed.shift()
  }
}

/**
 * Derives a reference from the message id, so handling the same message again gives the same
 * reference: `MSG-` and six characters of its SHA-256 in base 36, upper case. Two messages can
 * share one (about one in two billion per pair), so the reference names a message for people and
 * the message id stays the key.
 */
export function referenceFor(messageId: string): string {
  const digest = createHash('sha256').update(messageId).digest()
  const value = digest.readUIntBE(0, 6)
  return `MSG-${value.toString(36).toUpperCase().padStart(6, '0').slice(-6)}`
}
