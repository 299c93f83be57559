// GSM 03.38 basic character set, as one string in table order (0x00 to 0x7F), with the escape
// (0x1B) left out because it only introduces the extension table.
const basicSet =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'

// GSM 03.38 extension table: each of these costs two septets (escape plus the character).
const extensionSet = '^{}\\[~]|€\f'

const basic = new Set(basicSet)
const extension = new Set(extensionSet)

/** Typography that handsets render badly, mapped to the nearest GSM-7 basic characters. */
const replacements: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
  '\t': ' ',
}

export function isGsm7Basic(char: string): boolean {
  return basic.has(char)
}

export function isGsm7Extension(char: string): boolean {
  return extension.has(char)
}

/**
 * Replaces curly quotes, long dashes, the ellipsis, tabs and odd spaces with their GSM-7 basic
 * forms and leaves every other character as it is.
 */
export function normalizeTypography(text: string): string {
  let output = ''
  for (const char of text) output += replacements[char] ?? char
  return output
}

/**
 * Rewrites text so that it only uses the GSM-7 basic set and `\n`: `\r\n` becomes `\n`, curly
 * quotes and long dashes become their plain forms, accents outside the set are dropped
 * (`ô` to `o`), and whatever is left outside the set (emoji, ticks, extension characters such
 * as `€` that some USSD gateways mangle) is removed. Runs of spaces become one, and spaces at
 * the start or end of a line are dropped.
 */
export function toGsm7Basic(text: string): string {
  let output = ''
  for (const char of text.replace(/\r\n?/g, '\n')) {
    output += mapCharacter(char)
  }
  // A removed emoji or tick leaves its neighbouring spaces behind, at the ends of a line too.
  return output
    .replace(/ {2,}/g, ' ')
    .replace(/ +(?=\n|$)/g, '')
    .replace(/(^|\n) +/g, '$1')
}

function mapCharacter(char: string): string {
  if (char === '\n' || basic.has(char)) return char

  const replacement = replacements[char]
  if (replacement !== undefined) return replacement

  const base = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  if (base.length > 0 && [...base].every((c) => basic.has(c))) return base

  return ''
}

/** Lists the distinct characters of `text` outside the GSM-7 basic set and `\n`. */
export function findNonGsm7Characters(text: string): string[] {
  const found = new Set<string>()
  for (const char of text) {
    if (char !== '\n' && !basic.has(char)) found.add(char)
  }
  return [...found]
}
