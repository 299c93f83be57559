import { fillTemplate } from '../text/template.ts'
import type { RulesText } from './rule-schema.ts'

/** Texts sent to people, per language, when the rules file does not give its own. */
export const routingMessages = {
  acknowledgeQueued: {
    en: 'Thank you. We received your message and will reply soon. Your reference is {{reference}}.',
    sw: 'Asante. Tumepokea ujumbe wako na tutakujibu hivi karibuni. Kumbukumbu yako ni {{reference}}.',
  },
  acknowledgeEscalated: {
    en: 'Thank you. Your message has been passed to our team on call. Your reference is {{reference}}.',
    sw: 'Asante. Ujumbe wako umepelekwa kwa timu yetu ya zamu. Kumbukumbu yako ni {{reference}}.',
  },
  reply: {
    en: '{{text}} (Ref {{reference}})',
    sw: '{{text}} (Kumbukumbu {{reference}})',
  },
  stillWorking: {
    en: 'We are still working on your {{name}} {{reference}}. Thank you for waiting.',
    sw: 'Bado tunashughulikia ombi lako {{reference}} ({{name}}). Asante kwa kusubiri.',
  },
  resolved: {
    en: 'Your {{name}} {{reference}} is resolved: {{text}}',
    sw: 'Ombi lako {{reference}} ({{name}}) limeshughulikiwa: {{text}}',
  },
} satisfies Record<string, Record<'en' | 'sw', string>>

/** Texts sent to on-call staff; they are in English. */
export const staffMessages = {
  urgent:
    'URGENT {{team}}: {{name}} {{reference}} from {{from}}: "{{text}}". Claim it in the inbox.',
  unclaimed:
    'ESCALATED {{team}}: {{name}} {{reference}} from {{from}} has waited {{minutes}} min without an agent. Claim it in the inbox.',
}

/** Characters of the person's message quoted in an SMS to staff. */
export const quotedTextLength = 100

/** Picks `text` in `language` (else `fallback`, else any) and fills in its placeholders. */
export function renderText(
  text: RulesText,
  language: string,
  fallback: string,
  values: Record<string, unknown>,
): string {
  const chosen =
    typeof text === 'string'
      ? text
      : (text[language] ?? text[fallback] ?? Object.values(text)[0] ?? '')
  return fillTemplate(chosen, values)
}

/** The category name texts use: its `name:` in the language, or its id with spaces. */
export function categoryName(
  id: string,
  name: RulesText | undefined,
  language: string,
  fallback: string,
): string {
  if (name === undefined) return id.replace(/[-_]+/g, ' ')
  return renderText(name, language, fallback, {})
}

/** Shortens a quoted message to `quotedTextLength` characters. */
export function quote(text: string): string {
  return text.length <= quotedTextLength ? text : `${text.slice(0, quotedTextLength - 3)}...`
}
