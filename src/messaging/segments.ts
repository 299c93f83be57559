import { isGsm7Basic, isGsm7Extension, normalizeTypography } from '../text/gsm7.ts'

/**
 * `gsm7`: the GSM 03.38 default alphabet, 7-bit septets. `ucs2`: 16-bit code units, used as
 * soon as one character is outside GSM 03.38 (handsets decode it as UTF-16, so emoji work).
 */
export type SmsEncoding = 'gsm7' | 'ucs2'

/**
 * Capacity per encoding, from 3GPP TS 23.040: 140 octets per SMS, less a 6-octet user data
 * header (UDH) in each part of a concatenated message.
 */
export const segmentLimits: Readonly<Record<SmsEncoding, { single: number; perPart: number }>> = {
  gsm7: { single: 160, perPart: 153 },
  ucs2: { single: 70, perPart: 67 },
}

const unitNames: Record<SmsEncoding, string> = {
  gsm7: 'GSM-7 septets',
  ucs2: 'UCS-2 code units',
}

export interface SegmentCount {
  readonly encoding: SmsEncoding
  /** Parts the text is sent as; 0 for an empty text. */
  readonly segments: number
  /** Septets (GSM-7, an extension character counts two) or UTF-16 code units (UCS-2). */
  readonly units: number
}

/**
 * Counts the segments `text` is sent as. An escaped GSM-7 character (escape plus character) and
 * a UTF-16 surrogate pair are never split across two parts, so a part may end one unit short.
 */
export function countSegments(text: string): SegmentCount {
  const encoding = findUcs2Characters(text).length === 0 ? 'gsm7' : 'ucs2'
  const costs = [...text].map((char) => unitCost(char, encoding))
  const units = costs.reduce((sum, cost) => sum + cost, 0)
  return { encoding, segments: packSegments(costs, units, encoding), units }
}

/** Lists the distinct characters of `text` that GSM 03.38 cannot carry. */
export function findUcs2Characters(text: string): string[] {
  const found = new Set<string>()
  for (const char of text) {
    if (!isGsm7Basic(char) && !isGsm7Extension(char)) found.add(char)
  }
  return [...found]
}

function unitCost(char: string, encoding: SmsEncoding): number {
  if (encoding === 'ucs2') return char.length
  return isGsm7Extension(char) ? 2 : 1
}

function packSegments(costs: readonly number[], units: number, encoding: SmsEncoding): number {
  const { single, perPart } = segmentLimits[encoding]
  if (units === 0) return 0
  if (units <= single) return 1

  let parts = 1
  let used = 0
  for (const cost of costs) {
    if (used + cost > perPart) {
      parts += 1
      used = 0
    }
    used += cost
  }
  return parts
}

export interface PrepareSmsOptions {
  /** Segments the text may use; each one is billed as an SMS. */
  readonly maxSegments: number
  /** `reject` raises `SmsTooLongError`, and `truncate` keeps the longest prefix that fits. */
  readonly overflow: 'reject' | 'truncate'
  /**
   * Replace curly quotes, long dashes and the ellipsis with GSM-7 forms before counting, so one
   * typographic quote does not switch the whole text to UCS-2 and halve its capacity. Default on.
   */
  readonly normalizeTypography?: boolean
}

export interface PreparedSms extends SegmentCount {
  /** The text to send: normalised, and cut when it was truncated. */
  readonly text: string
  readonly truncated: boolean
}

/** Raised for a text longer than its segment limit when overflow is `reject`. */
export class SmsTooLongError extends Error {
  override readonly name = 'SmsTooLongError'

  constructor(
    readonly count: SegmentCount,
    readonly maxSegments: number,
    ucs2Characters: readonly string[],
  ) {
    const { encoding, units, segments } = count
    const capacity = capacityOf(encoding, maxSegments)
    const because =
      encoding === 'ucs2' ? ` (UCS-2 because of ${ucs2Characters.slice(0, 3).join(' ')})` : ''
    super(
      `SMS text is ${units} ${unitNames[encoding]}${because}, which needs ${segments} segments; ` +
        `the limit is ${plural(maxSegments, 'segment')} (${capacity} ${unitNames[encoding]}). ` +
        `Shorten the text, raise maxSegments, or use overflow 'truncate'.`,
    )
  }
}

/**
 * Prepares a text for sending: normalises typography (unless turned off), picks the encoding,
 * counts segments and enforces `maxSegments` by rejecting or truncating.
 */
export function prepareSms(text: string, options: PrepareSmsOptions): PreparedSms {
  if (!Number.isInteger(options.maxSegments) || options.maxSegments < 1) {
    throw new RangeError(
      `maxSegments must be a whole number of at least 1, not ${options.maxSegments}`,
    )
  }
  const normalized = options.normalizeTypography === false ? text : normalizeTypography(text)
  if (normalized.length === 0) throw new Error('SMS text is empty. Send at least one character.')

  const count = countSegments(normalized)
  if (count.segments <= options.maxSegments) {
    return { text: normalized, truncated: false, ...count }
  }
  if (options.overflow === 'reject') {
    throw new SmsTooLongError(count, options.maxSegments, findUcs2Characters(normalized))
  }

  const cut = longestFittingPrefix(normalized, options.maxSegments)
  return { text: cut, truncated: true, ...countSegments(cut) }
}

/**
 * Finds the longest prefix, in whole code points, that fits in `maxSegments`. Fitting is
 * monotone: a shorter prefix never needs more parts, and when it drops the last UCS-2 character
 * it becomes GSM-7, where every character costs at most 2 septets (70 x 2 <= 160, 67 x 2 <= 153).
 */
function longestFittingPrefix(text: string, maxSegments: number): string {
  const chars = [...text]
  let low = 0
  let high = chars.length
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (countSegments(chars.slice(0, middle).join('')).segments <= maxSegments) low = middle
    else high = middle - 1
  }
  return chars.slice(0, low).join('')
}

function capacityOf(encoding: SmsEncoding, segments: number): number {
  const { single, perPart } = segmentLimits[encoding]
  return segments === 1 ? single : segments * perPart
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
