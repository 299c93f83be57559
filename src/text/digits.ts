// Arabic-Indic (U+0660) and Extended Arabic-Indic/Persian (U+06F0) digits. Full-width digits
// (U+FF10) are folded by NFKC.
const digitBlocks = [0x0660, 0x06f0]

const zeroWidth = /[\u200b-\u200d\u2060\ufeff]/g

/** Folds digits from other scripts to ASCII so that `٢`, `۲` and `２` all read as `2`. */
export function foldDigits(text: string): string {
  let folded = ''
  for (const char of text.normalize('NFKC')) {
    const code = char.codePointAt(0) ?? 0
    const block = digitBlocks.find((start) => code >= start && code <= start + 9)
    folded += block === undefined ? char : String(code - block)
  }
  return folded
}

/**
 * Normalises subscriber input for matching: NFKC, digits folded to ASCII, zero-width characters
 * removed. The caller keeps the original text when it needs to store it.
 */
export function normalizeInput(text: string): string {
  return foldDigits(text).replace(zeroWidth, '')
}
