import type { ProgramRules } from './program-rules.ts'
import type { QueueItem } from './queue-item.ts'
import type { RulesText } from './rule-schema.ts'
import {
  categoryName,
  quote,
  renderText,
  routingMessages,
  staffMessages,
} from './routing-messages.ts'

/**
 * The texts of one item, from its program's current rules when they are loaded, else from the
 * built-in texts.
 */
export class ItemTexts {
  private readonly language: string
  private readonly fallback: string

  constructor(
    private readonly item: QueueItem,
    private readonly rules: ProgramRules | undefined,
  ) {
    this.language = item.language
    this.fallback = rules?.defaultLanguage ?? 'en'
  }

  /** How texts to the person name the request: "medication question". */
  get name(): string {
    const spec = this.rules?.category(this.item.category)
    return categoryName(this.item.category, spec?.name, this.language, this.fallback)
  }

  reply(text: string): string {
    return this.render(routingMessages.reply, { text })
  }

  stillWorking(): string {
    const own = this.rules?.category(this.item.category).stillWorking
    return this.render(own ?? routingMessages.stillWorking, {})
  }

  resolved(text: string): string {
    const own = this.rules?.category(this.item.category).resolved
    return this.render(own ?? routingMessages.resolved, { text })
  }

  /** The SMS to on-call staff, in English. */
  staff(kind: 'urgent' | 'unclaimed', now: number): string {
    const template = kind === 'urgent' ? staffMessages.urgent : staffMessages.unclaimed
    return renderText(template, 'en', 'en', {
      team: this.item.team,
      name: categoryName(
        this.item.category,
        this.rules?.category(this.item.category).name,
        'en',
        'en',
      ),
      reference: this.item.reference,
      from: this.item.message.from,
      text: quote(this.item.message.text),
      minutes: Math.max(0, Math.round((now - this.item.queuedAt) / 60_000)),
    })
  }

  private render(text: RulesText, values: Record<string, unknown>): string {
    return renderText(text, this.language, this.fallback, {
      reference: this.item.reference,
      name: this.name,
      ...values,
    })
  }
}
