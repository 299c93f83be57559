import { describe, expect, it } from 'vitest'
import {
  countSegments,
  prepareSms,
  SmsTooLongError,
  type SmsEncoding,
} from '../src/messaging/segments.ts'

// GSM 03.38 default alphabet, written out here row by row (0x00-0x7F) independently of the
// source, with the escape 0x1B left out.
const gsmBasicTable = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmno',
  'pqrstuvwxyzäöñüà',
].join('')

// GSM 03.38 extension table, reached through the escape: each costs two septets.
const gsmExtensionTable = '\f^{}\\[~]|€'

/** `length` characters taken from the basic table in order, wrapping around. */
function basicText(length: number): string {
  let text = ''
  for (let i = 0; i < length; i += 1) text += gsmBasicTable[i % gsmBasicTable.length]
  return text
}

const cyrillic = 'ж'
const emoji = '😀'

describe('sms segment count', () => {
  it('basic table is 127 characters', () => {
    expect([...gsmBasicTable]).toHaveLength(127)
  })

  it('basic characters cost one septet', () => {
    expect(countSegments(gsmBasicTable)).toEqual({ encoding: 'gsm7', segments: 1, units: 127 })
  })

  it.each([...gsmExtensionTable])('extension %j costs two septets', (char) => {
    expect(countSegments(char)).toEqual({ encoding: 'gsm7', segments: 1, units: 2 })
  })

  type Case = {
    label: string
    text: string
    encoding: SmsEncoding
    units: number
    segments: number
  }
  const cases: Case[] = [
    { label: 'empty text', text: '', encoding: 'gsm7', units: 0, segments: 0 },
    { label: '160 basic', text: basicText(160), encoding: 'gsm7', units: 160, segments: 1 },
    { label: '161 basic', text: basicText(161), encoding: 'gsm7', units: 161, segments: 2 },
    { label: '153 x 2 basic', text: basicText(306), encoding: 'gsm7', units: 306, segments: 2 },
    { label: '153 x 2 + 1 basic', text: basicText(307), encoding: 'gsm7', units: 307, segments: 3 },
    {
      label: '80 euro signs',
      text: '€'.repeat(80),
      encoding: 'gsm7',
      units: 160,
      segments: 1,
    },
    {
      label: 'euro as 160th septet',
      text: `${'a'.repeat(158)}€`,
      encoding: 'gsm7',
      units: 160,
      segments: 1,
    },
    {
      label: 'euro past 160 septets',
      text: `${'a'.repeat(159)}€`,
      encoding: 'gsm7',
      units: 161,
      segments: 2,
    },
    {
      label: 'bracket ends first part',
      text: `${'a'.repeat(151)}[${'b'.repeat(153)}`,
      encoding: 'gsm7',
      units: 306,
      segments: 2,
    },
    {
      label: 'bracket straddles boundary',
      text: `${'a'.repeat(152)}[${'b'.repeat(152)}`,
      encoding: 'gsm7',
      units: 306,
      segments: 3,
    },
    {
      label: '70 UCS-2',
      text: cyrillic.repeat(70),
      encoding: 'ucs2',
      units: 70,
      segments: 1,
    },
    {
      label: '71 UCS-2',
      text: cyrillic.repeat(71),
      encoding: 'ucs2',
      units: 71,
      segments: 2,
    },
    {
      label: '67 x 2 UCS-2',
      text: cyrillic.repeat(134),
      encoding: 'ucs2',
      units: 134,
      segments: 2,
    },
    {
      label: '67 x 2 + 1 UCS-2',
      text: cyrillic.repeat(135),
      encoding: 'ucs2',
      units: 135,
      segments: 3,
    },
    {
      label: 'emoji ends first part',
      text: `${cyrillic.repeat(65)}${emoji}${cyrillic.repeat(67)}`,
      encoding: 'ucs2',
      units: 134,
      segments: 2,
    },
    {
      label: 'emoji straddles boundary',
      text: `${cyrillic.repeat(66)}${emoji}${cyrillic.repeat(66)}`,
      encoding: 'ucs2',
      units: 134,
      segments: 3,
    },
    {
      label: 'one UCS-2 char in GSM text',
      text: `${'a'.repeat(69)}${cyrillic}`,
      encoding: 'ucs2',
      units: 70,
      segments: 1,
    },
    {
      label: 'one UCS-2 char past 70',
      text: `${'a'.repeat(70)}${cyrillic}`,
      encoding: 'ucs2',
      units: 71,
      segments: 2,
    },
    {
      label: 'extension char in UCS-2',
      text: `€[${cyrillic}`,
      encoding: 'ucs2',
      units: 3,
      segments: 1,
    },
    {
      label: 'curly quote counted as is',
      text: 'It\u2019s ready',
      encoding: 'ucs2',
      units: 10,
      segments: 1,
    },
  ]

  it.each(cases)('$label', ({ text, encoding, units, segments }) => {
    const count = countSegments(text)

    expect(count.encoding).toBe(encoding)
    expect(count.units).toBe(units)
    expect(count.segments).toBe(segments)
  })
})

describe('prepare sms', () => {
  it.each([
    {
      label: 'curly quotes normalised',
      text: '\u201cPaid\u201d, it\u2019s done',
      normalizeTypography: true,
      expected: { text: '"Paid", it\'s done', encoding: 'gsm7', units: 17 },
    },
    {
      label: 'curly quotes kept',
      text: '\u201cPaid\u201d, it\u2019s done',
      normalizeTypography: false,
      expected: { text: '\u201cPaid\u201d, it\u2019s done', encoding: 'ucs2', units: 17 },
    },
    {
      label: 'dash and ellipsis normalised',
      text: 'Wait\u2026 paid \u2014 thanks',
      normalizeTypography: true,
      expected: { text: 'Wait... paid - thanks', encoding: 'gsm7', units: 21 },
    },
    {
      label: 'emoji survives normalisation',
      text: `Asante ${emoji}`,
      normalizeTypography: true,
      expected: { text: `Asante ${emoji}`, encoding: 'ucs2', units: 9 },
    },
  ])('$label', ({ text, normalizeTypography, expected }) => {
    const prepared = prepareSms(text, { maxSegments: 1, overflow: 'reject', normalizeTypography })

    expect(prepared.text).toBe(expected.text)
    expect(prepared.encoding).toBe(expected.encoding)
    expect(prepared.units).toBe(expected.units)
    expect(prepared.truncated).toBe(false)
  })

  it('normalisation is on by default', () => {
    const prepared = prepareSms('it\u2019s', { maxSegments: 1, overflow: 'reject' })

    expect(prepared.text).toBe("it's")
    expect(prepared.encoding).toBe('gsm7')
  })

  it('normalisation can save a segment', () => {
    const text = `${'a'.repeat(100)}\u2019`

    expect(prepareSms(text, { maxSegments: 2, overflow: 'reject' }).segments).toBe(1)
    const kept = prepareSms(text, {
      maxSegments: 2,
      overflow: 'reject',
      normalizeTypography: false,
    })
    expect(kept.segments).toBe(2)
  })

  it('reject names length, encoding and limit', () => {
    const prepare = () => prepareSms(basicText(161), { maxSegments: 1, overflow: 'reject' })

    expect(prepare).toThrow(SmsTooLongError)
    expect(prepare).toThrow(
      'SMS text is 161 GSM-7 septets, which needs 2 segments; the limit is 1 segment ' +
        "(160 GSM-7 septets). Shorten the text, raise maxSegments, or use overflow 'truncate'.",
    )
  })

  it('reject names the UCS-2 characters', () => {
    const text = `${'a'.repeat(140)}${cyrillic}`

    expect(() => prepareSms(text, { maxSegments: 2, overflow: 'reject' })).toThrow(
      'SMS text is 141 UCS-2 code units (UCS-2 because of ж), which needs 3 segments; ' +
        'the limit is 2 segments (134 UCS-2 code units).',
    )
  })

  it('reject accepts text at the limit', () => {
    const prepared = prepareSms(basicText(306), { maxSegments: 2, overflow: 'reject' })

    expect(prepared.segments).toBe(2)
    expect(prepared.truncated).toBe(false)
  })

  it.each([
    {
      label: 'basic text to 160',
      text: basicText(200),
      maxSegments: 1,
      expected: { text: basicText(160), encoding: 'gsm7', units: 160, segments: 1 },
    },
    {
      label: 'basic text to 153 x 2',
      text: basicText(400),
      maxSegments: 2,
      expected: { text: basicText(306), encoding: 'gsm7', units: 306, segments: 2 },
    },
    {
      label: 'euro that would not fit',
      text: `${'a'.repeat(159)}€b`,
      maxSegments: 1,
      expected: { text: 'a'.repeat(159), encoding: 'gsm7', units: 159, segments: 1 },
    },
    {
      label: 'emoji never split',
      text: `${cyrillic.repeat(69)}${emoji}`,
      maxSegments: 1,
      expected: { text: cyrillic.repeat(69), encoding: 'ucs2', units: 69, segments: 1 },
    },
    {
      label: 'UCS-2 tail dropped',
      text: `${'a'.repeat(200)}${cyrillic}`,
      maxSegments: 1,
      expected: { text: 'a'.repeat(160), encoding: 'gsm7', units: 160, segments: 1 },
    },
  ])('truncate $label', ({ text, maxSegments, expected }) => {
    const prepared = prepareSms(text, { maxSegments, overflow: 'truncate' })

    expect(prepared.text).toBe(expected.text)
    expect(prepared.encoding).toBe(expected.encoding)
    expect(prepared.units).toBe(expected.units)
    expect(prepared.segments).toBe(expected.segments)
    expect(prepared.truncated).toBe(true)
  })

  it('truncate leaves short text alone', () => {
    const prepared = prepareSms('Hello', { maxSegments: 1, overflow: 'truncate' })

    expect(prepared.text).toBe('Hello')
    expect(prepared.truncated).toBe(false)
  })

  it('empty text is rejected', () => {
    expect(() => prepareSms('', { maxSegments: 1, overflow: 'truncate' })).toThrow(
      'SMS text is empty',
    )
  })

  it('zero max segments is rejected', () => {
    expect(() => prepareSms('Hi', { maxSegments: 0, overflow: 'truncate' })).toThrow(
      'maxSegments must be a whole number of at least 1, not 0',
    )
  })
})
