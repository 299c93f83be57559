import type { LocalizedText } from './flow.ts'

/** Picks the text for `language`, falling back to `fallbackLanguage`, then to any language. */
export function localize(text: LocalizedText, language: string, fallbackLanguage: string): string {
  if (typeof text === 'string') return text
  return text[language] ?? text[fallbackLanguage] ?? Object.values(text)[0] ?? ''
}
