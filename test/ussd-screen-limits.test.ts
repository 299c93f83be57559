import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  renderUssdPage,
  renderUssdText,
  truncate,
  type UssdPageRequest,
} from '../src/engine/render-ussd-screen.ts'
import {
  findNonGsm7Characters,
  isGsm7Basic,
  isGsm7Extension,
  toGsm7Basic,
} from '../src/text/gsm7.ts'
import { countiesBackend, kenyanCounties } from './fixtures/flows/counties.tasks.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { walk } from './support/ussd-client.ts'

const counties = '*384*300#'
const longName = `Jane ${'Wanjiku '.repeat(14)}Doe`.slice(0, 120)

/** Checks the shape of a `CON`/`END` body and returns the screen text after the keyword. */
function screenOf(body: string): string {
  expect(body).toMatch(/^(CON|END) \S/)
  return body.slice(4)
}

/** Reads the numbered option lines of a screen as `[number, label]` pairs. */
function optionLines(screen: string): [number, string][] {
  return screen
    .split('\n')
    .map((line) => /^(\d+)\. (.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [Number(match[1]), match[2] ?? ''] as [number, string])
    .filter(([number]) => number !== 98 && number !== 0)
}

describe.each([182, 160])('USSD screens within %i characters', (limit) => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let counter = 0
  const nextSessionId = () => {
    counter += 1
    return `ATUid_limits_${limit}_${counter}`
  }
  const pageTexts = ['', '98', '98*98', '98*98*98', '98*98*98*98', '98*98*98*98*98']

  beforeAll(async () => {
    switchboard = await createTestSwitchboard({
      environment: { USSD_SCREEN_LIMIT: String(limit) },
    })
  })

  afterAll(async () => {
    await switchboard.close()
  })

  afterEach(() => {
    countiesBackend.agentName = 'Jane Doe'
  })

  /** Walks `More` until the last page and returns each page's screen text. */
  async function countyPages(sessionId: string): Promise<string[]> {
    const pages: string[] = []
    for (const text of pageTexts) {
      const { body } = await switchboard.hop({ sessionId, serviceCode: counties, text })
      pages.push(screenOf(body))
      if (!body.includes('98. More')) break
    }
    return pages
  }

  it('fits every county page', async () => {
    const pages = await countyPages(nextSessionId())

    expect(pages.length).toBeGreaterThan(2)
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit)
  })

  it('shows every county once, in order', async () => {
    const pages = await countyPages(nextSessionId())

    const shown = pages.flatMap(optionLines)
    expect(shown.map(([, name]) => name)).toEqual(kenyanCounties)
    expect(shown.map(([number]) => number)).toEqual(kenyanCounties.map((_name, index) => index + 1))
  })

  it('ends pages with More and Back', async () => {
    const pages = await countyPages(nextSessionId())

    expect(pages[0]!.startsWith('Choose county\n1. Mombasa\n')).toBe(true)
    expect(pages[0]!.endsWith('\n98. More')).toBe(true)
    expect(pages[0]).not.toContain('0. Back')
    for (const page of pages.slice(1, -1)) {
      expect(page.startsWith('Choose county\n')).toBe(true)
      expect(page.endsWith('\n98. More\n0. Back')).toBe(true)
    }
    expect(pages.at(-1)!.endsWith('\n47. Nairobi\n0. Back')).toBe(true)
  })

  it('selects a county shown on page 2', async () => {
    const pages = await countyPages(nextSessionId())
    const sessionId = nextSessionId()
    const [firstOnPage1] = optionLines(pages[0]!)
    const [number, name] = optionLines(pages[1]!).at(-1)!
    await walk(switchboard.hop, sessionId, ['', '98'], { serviceCode: counties })

    const { body } = await switchboard.hop({
      sessionId,
      serviceCode: counties,
      text: `98*${number}`,
    })

    expect(name).toBe(kenyanCounties[number - 1])
    expect(name).not.toBe(firstOnPage1?.[1])
    expect(body).toBe(`CON Register with Jane Doe in ${name}?\n1. Confirm\n0. Back`)
  })

  it('rejects a number from another page', async () => {
    const sessionId = nextSessionId()
    const bodies = await walk(switchboard.hop, sessionId, ['', '98', '98*1'], {
      serviceCode: counties,
    })

    const [firstOnPage2] = optionLines(screenOf(bodies[1]!))
    const expectedStart = `CON Invalid choice.\nChoose county\n${firstOnPage2![0]}. ${firstOnPage2![1]}\n`
    expect(bodies[2]!.startsWith(expectedStart)).toBe(true)
    expect(bodies[2]!.endsWith('\n98. More\n0. Back')).toBe(true)
    expect(screenOf(bodies[2]!).length).toBeLessThanOrEqual(limit)
  })

  it('goes back one page', async () => {
    const sessionId = nextSessionId()
    const bodies = await walk(switchboard.hop, sessionId, ['', '98', '98*0', '98*0*1'], {
      serviceCode: counties,
    })

    expect(bodies[2]).toBe(bodies[0])
    expect(bodies[3]).toBe('CON Register with Jane Doe in Mombasa?\n1. Confirm\n0. Back')
  })

  it('rejects More on the last page', async () => {
    const sessionId = nextSessionId()
    const pages = await countyPages(sessionId)
    const text = pageTexts[pages.length]!

    const { body } = await switchboard.hop({ sessionId, serviceCode: counties, text })

    expect(body.startsWith('CON Invalid choice.\n')).toBe(true)
    expect(body).toContain('47. Nairobi')
    expect(screenOf(body).length).toBeLessThanOrEqual(limit)
  })

  it('cuts a long name on confirm', async () => {
    countiesBackend.agentName = longName
    const bodies = await walk(switchboard.hop, nextSessionId(), ['', '1'], {
      serviceCode: counties,
    })
    const screen = screenOf(bodies[1]!)
    const lines = screen.split('\n')

    expect(longName).toHaveLength(120)
    expect(screen.length).toBeLessThanOrEqual(limit)
    expect(lines[0]!.startsWith('Register with Jane Wanjiku')).toBe(true)
    expect(lines[0]!.endsWith('...')).toBe(true)
    expect(lines.slice(1)).toEqual(['1. Confirm', '0. Back'])
  })

  it('rewrites copy to GSM-7', async () => {
    const bodies = await walk(switchboard.hop, nextSessionId(), ['', '1', '1*1'], {
      serviceCode: counties,
    })
    const body = bodies[2]!

    expect(body).toBe('CON Café - "Special" offer\nNext line\n1. Accept\n0. Back')
    expect(body).not.toContain('\r')
    expect(findNonGsm7Characters(body)).toEqual([])
  })

  it('fits the final reply', async () => {
    const texts = ['', '98', '98*20', '98*20*1', '98*20*1*1']
    const bodies = await walk(switchboard.hop, nextSessionId(), texts, { serviceCode: counties })

    expect(bodies[2]).toBe(
      `CON Register with Jane Doe in ${kenyanCounties[19]}?\n1. Confirm\n0. Back`,
    )
    expect(bodies[4]).toBe(`END Registered in ${kenyanCounties[19]}.`)
  })
})

describe('truncate', () => {
  it.each([
    ['short text', 'Hello', 10, 'Hello'],
    ['exact fit', 'Hello', 5, 'Hello'],
    ['cut with ellipsis', 'Hello world', 8, 'Hello...'],
    ['spaces before the cut', 'Hello    world', 9, 'Hello...'],
    ['no room for an ellipsis', 'Hello world', 3, 'Hel'],
    ['zero length', 'Hello', 0, ''],
  ] as const)('%s', (_label, text, max, expected) => {
    expect(truncate(text, max)).toBe(expected)
  })
})

describe('renderUssdText', () => {
  it.each([
    {
      label: 'body that fits',
      parts: { body: 'Enter amount', footer: '0. Back', limit: 182 },
      expected: 'Enter amount\n0. Back',
    },
    {
      label: 'error above the body',
      parts: { error: 'Invalid amount.', body: 'Enter amount', limit: 182 },
      expected: 'Invalid amount.\nEnter amount',
    },
    {
      label: 'long body keeps error and footer',
      parts: { error: 'Invalid.', body: 'x'.repeat(300), footer: '0. Back', limit: 50 },
      expected: `Invalid.\n${'x'.repeat(30)}...\n0. Back`,
    },
    {
      label: 'final text over the limit',
      parts: { body: 'y'.repeat(200), limit: 182 },
      expected: `${'y'.repeat(179)}...`,
    },
    {
      label: 'typography in the body',
      parts: { body: 'It’s “done” – thanks ✓', limit: 182 },
      expected: 'It\'s "done" - thanks',
    },
    {
      label: 'CRLF line breaks',
      parts: { body: 'Line one\r\nLine two', limit: 182 },
      expected: 'Line one\nLine two',
    },
  ])('$label', ({ parts, expected }) => {
    const text = renderUssdText(parts)

    expect(text).toBe(expected)
    expect(text.length).toBeLessThanOrEqual(parts.limit)
  })
})

describe('renderUssdPage', () => {
  const names = (count: number, from = 1) =>
    Array.from({ length: count }, (_unused, index) => ({
      number: String(from + index),
      label: `County ${from + index}`,
    }))
  const base: UssdPageRequest = {
    prompt: 'Choose county',
    options: names(3),
    start: 0,
    moreLine: '98. More',
    limit: 182,
  }

  it.each([
    {
      label: 'all options fit',
      request: base,
      expected: {
        text: 'Choose county\n1. County 1\n2. County 2\n3. County 3',
        shown: 3,
        hasMore: false,
      },
    },
    {
      label: 'first page of many',
      request: { ...base, options: names(30), limit: 60 },
      expected: {
        text: 'Choose county\n1. County 1\n2. County 2\n3. County 3\n98. More',
        shown: 3,
        hasMore: true,
      },
    },
    {
      label: 'later page with back',
      request: { ...base, options: names(30), start: 3, backLine: '0. Back', limit: 60 },
      expected: {
        text: 'Choose county\n4. County 4\n5. County 5\n98. More\n0. Back',
        shown: 2,
        hasMore: true,
      },
    },
    {
      label: 'last page has no More',
      request: { ...base, options: names(5), start: 3, backLine: '0. Back', limit: 60 },
      expected: {
        text: 'Choose county\n4. County 4\n5. County 5\n0. Back',
        shown: 2,
        hasMore: false,
      },
    },
    {
      label: 'error line first',
      request: { ...base, error: 'Invalid choice.' },
      expected: {
        text: 'Invalid choice.\nChoose county\n1. County 1\n2. County 2\n3. County 3',
        shown: 3,
        hasMore: false,
      },
    },
    {
      label: 'one option longer than the screen',
      request: {
        ...base,
        prompt: 'Pick',
        options: [{ number: '1', label: 'y'.repeat(300) }],
        backLine: '0. Back',
        limit: 60,
      },
      expected: { text: `Pick\n1. ${'y'.repeat(41)}...\n0. Back`, shown: 1, hasMore: false },
    },
    {
      label: 'long prompt leaves room for options',
      request: { ...base, prompt: 'P'.repeat(300), options: names(2), limit: 60 },
      expected: {
        text: `${'P'.repeat(17)}...\n1. County 1\n2. County 2`,
        shown: 2,
        hasMore: false,
      },
    },
    {
      label: 'emoji at the start of a label',
      request: { ...base, options: [{ number: '1', label: '✓ Paid' }] },
      expected: { text: 'Choose county\n1. Paid', shown: 1, hasMore: false },
    },
    {
      label: 'option labels rewritten to GSM-7',
      request: { ...base, options: [{ number: '1', label: 'Café “Special” ✓\r\nNext' }] },
      expected: { text: 'Choose county\n1. Café "Special" Next', shown: 1, hasMore: false },
    },
  ])('$label', ({ request, expected }) => {
    const page = renderUssdPage(request)

    expect(page).toEqual(expected)
    expect(page.text.length).toBeLessThanOrEqual(request.limit)
  })

  it.each([182, 160, 120, 80])('never splits an option line at %i', (limit) => {
    const options = Array.from({ length: 40 }, (_unused, index) => ({
      number: String(index + 1),
      label: `Option with a longer label ${index + 1}`,
    }))

    for (let start = 0; start < options.length;) {
      const page = renderUssdPage({ ...base, options, start, backLine: '0. Back', limit })
      const lines = page.text.split('\n')

      expect(page.text.length).toBeLessThanOrEqual(limit)
      expect(page.shown).toBeGreaterThan(0)
      const shownLines = lines.filter((line) => /^\d+\. Option/.test(line))
      expect(shownLines).toEqual(
        options
          .slice(start, start + page.shown)
          .map((option) => `${option.number}. ${option.label}`),
      )
      start += page.shown
    }
  })
})

describe('toGsm7Basic', () => {
  it.each([
    ['menu copy', 'Café – “Special” offer ✓ 😀\r\nNext line', 'Café - "Special" offer\nNext line'],
    ['single quotes', '‘quoted’ it’s', "'quoted' it's"],
    ['guillemets', '«x»', '"x"'],
    ['em dash', 'a — b', 'a - b'],
    ['en dash in a range', '1–2', '1-2'],
    ['minus sign', '−5', '-5'],
    ['ellipsis', 'wait…', 'wait...'],
    ['no-break and thin spaces', 'a\u00a0b\u2009c\u202fd', 'a b c d'],
    ['tab', 'a\tb', 'a b'],
    ['lone CR', 'a\rb', 'a\nb'],
    ['emoji and tick', 'Done ✓ 😀', 'Done'],
    ['emoji at the start', '😀 Hello', 'Hello'],
    ['emoji between words', 'Hello 😀 there', 'Hello there'],
    ['tick before a line break', 'x ✓\ny', 'x\ny'],
    ['extension characters', 'Price: €5 [x] {y}', 'Price: 5 x y'],
    ['accents outside the set', 'Façade ô', 'Facade o'],
    ['accents in the set', 'é è ù ì ò à Ç ñ ü', 'é è ù ì ò à Ç ñ ü'],
    ['Greek capitals in the set', 'Δ Φ Γ Λ Ω', 'Δ Φ Γ Λ Ω'],
    ['other scripts', 'Habari 你好', 'Habari'],
    ['plain text', 'Welcome\n1. Check balance', 'Welcome\n1. Check balance'],
  ])('%s', (_label, input, expected) => {
    const output = toGsm7Basic(input)

    expect(output).toBe(expected)
    expect(findNonGsm7Characters(output)).toEqual([])
  })
})

describe('GSM-7 character checks', () => {
  it.each([
    ['A', true, false],
    ['é', true, false],
    ['\n', true, false],
    ['@', true, false],
    ['€', false, true],
    ['[', false, true],
    ['^', false, true],
    ['“', false, false],
    ['😀', false, false],
  ])('classifies %j', (char, basic, extension) => {
    expect(isGsm7Basic(char)).toBe(basic)
    expect(isGsm7Extension(char)).toBe(extension)
  })

  it('lists characters outside the basic set', () => {
    expect(findNonGsm7Characters('Café ✓ 😀 € ✓')).toEqual(['✓', '😀', '€'])
  })

  it('allows line feeds', () => {
    expect(findNonGsm7Characters('a\nb')).toEqual([])
  })
})
