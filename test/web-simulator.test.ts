import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'

// Debian's chromium package; `scripts/ensure-test-tools.sh` installs it before the tests.
const chromiumPath = '/usr/bin/chromium'
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]
const artifactsDir = 'test-artifacts'

const keyIds: Record<string, string> = { '*': 'key-star', '#': 'key-hash' }

describe('web simulator in Chromium', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let server: Awaited<ReturnType<typeof listen>>
  let profile: string
  let browser: BrowserContext
  let page: Page
  const outsideRequests: string[] = []

  beforeAll(async () => {
    switchboard = await createTestSwitchboard({ flowsDir: 'machines' })
    server = await listen(switchboard.app.fetch)
    profile = await mkdtemp(join(tmpdir(), 'switchboard-chromium-'))
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumFlags,
      viewport: { width: 1100, height: 900 },
    })
    page = browser.pages()[0] ?? (await browser.newPage())
    page.on('request', (request) => {
      const url = request.url()
      if (!url.startsWith(`${server.baseUrl}/`) && !url.startsWith('data:'))
        outsideRequests.push(url)
    })
    await page.goto(`${server.baseUrl}/simulator`)
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await switchboard?.close()
    if (profile !== undefined) await rm(profile, { recursive: true, force: true })
  })

  async function pressKeys(keys: string): Promise<void> {
    for (const key of keys) await page.click(`#${keyIds[key] ?? `key-${key}`}`)
  }

  async function call(): Promise<void> {
    await page.click('#key-call')
  }

  /** Reads the text of an element, with line wrapping and indentation folded into single spaces. */
  async function textOf(selector: string): Promise<string> {
    return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()
  }

  it('lists the routed codes and numbers', async () => {
    await expect.poll(() => textOf('#routes')).toContain('*384*456# loans')
    expect(await textOf('#routes')).toContain('+254711000456 loans')
  })

  it('walks a loan repayment to its end', async () => {
    await pressKeys('*384*456#')
    expect(await page.inputValue('#entry')).toBe('*384*456#')
    await call()
    await expect.poll(() => textOf('#screen')).toContain('Choose language / Chagua lugha')
    expect(await textOf('#screen')).toContain('1. English 2. Kiswahili')
    expect(await textOf('#status-left')).toContain('CON')

    await pressKeys('1')
    await call()
    await expect.poll(() => textOf('#screen')).toContain('Your loan')
    expect(await textOf('#screen')).toContain('2. Repay loan')
    expect(await textOf('#session-state')).toBe('"menu"')

    await pressKeys('2')
    await call()
    await expect.poll(() => textOf('#screen')).toContain('Enter amount to repay (KES):')

    await pressKeys('500')
    await call()
    await expect.poll(() => textOf('#screen')).toContain('Repay KES 500 from M-Pesa +254700000001?')
    await expect.poll(() => textOf('#session-state')).toBe('"repay_confirm"')
    expect(await textOf('#session-context')).toContain('"amount": 500')
    expect(await textOf('#session-context')).toContain('"language": "en"')
    expect(await textOf('#session-status')).toBe('active')

    await pressKeys('1')
    await call()
    await expect.poll(() => textOf('#screen')).toContain('Thank you. KES 500 received.')
    expect(await textOf('#status-left')).toContain('END')
    await expect.poll(() => textOf('#session-status')).toBe('done')
    expect(await textOf('#session-flow')).toMatch(/^loans \(version 1, revision [0-9a-f]{12}\)$/)
    expect(await textOf('#session-outbox')).toContain(
      'sms to +254700000001: Loan LN00001: we received KES 500.',
    )

    await mkdir(artifactsDir, { recursive: true })
    await page.screenshot({ path: join(artifactsDir, 'web-simulator-ussd.png'), fullPage: true })
  })

  it('wraps the screen at 20 characters', async () => {
    const lines = ((await page.textContent('#screen')) ?? '').split('\n')
    expect(lines.length).toBeGreaterThan(3)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(20)
  })

  it('speaks voice prompts and takes keys', async () => {
    // Another phone, whose language is not saved yet, so the call starts with the choice.
    await page.fill('#phone-number', '+254700000002')
    await page.click('#key-end')
    await page.fill('#entry', '+254711000456')
    await call()

    await expect.poll(() => textOf('#screen')).toContain('Choose language / Chagua lugha.')
    expect(await textOf('#call-transcript')).toContain('Press 1 for English.')
    expect(await textOf('#session-key')).toMatch(/^africastalking-voice:ATVId_sim_/)

    await pressKeys('1')
    await expect.poll(() => textOf('#screen')).toContain('Your loan. Press 1 for Check balance.')
    await expect.poll(() => textOf('#session-state')).toBe('"menu"')

    await page.click('#key-end')
    await expect.poll(() => textOf('#screen')).toContain('-- Hung up --')
    await expect.poll(() => textOf('#session-status')).toBe('dropped')
    expect(switchboard.logs.lines.some((line) => line.msg === 'call ended')).toBe(true)
    await page.screenshot({ path: join(artifactsDir, 'web-simulator-voice.png'), fullPage: true })
  })

  it('shows SMS sent to the phone', async () => {
    switchboard.sentMessages.record({
      to: '+254700000002',
      text: 'Your loan statement is ready.',
      sentAt: Date.now(),
    })
    await expect
      .poll(() => textOf('#sms-list'), { timeout: 8000 })
      .toContain('Your loan statement is ready.')
    expect(await textOf('#sms-list')).not.toContain('+254700000001')
  })

  it('sends an SMS or reports no route', async () => {
    const probe = await fetch(`${server.baseUrl}/africastalking/sms`, { method: 'POST' })
    await page.fill('#sms-text', 'BALANCE')
    await page.click('#sms-send')

    await expect.poll(() => textOf('#sms-status')).not.toBe('')
    const status = await textOf('#sms-status')
    if (probe.status === 404) expect(status).toContain('Inbound SMS is not available yet')
    else expect(status).toMatch(/^Sent \(HTTP 2\d\d\)\.$/)
  })

  it('loads nothing from other origins', async () => {
    const response = await fetch(`${server.baseUrl}/simulator`)
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(outsideRequests).toEqual([])
  })
})

describe('simulator switch', () => {
  it.each<{ label: string; environment: Record<string, string>; status: number }>([
    { label: 'on in development', environment: {}, status: 200 },
    { label: 'off in production', environment: { NODE_ENV: 'production' }, status: 404 },
    {
      label: 'on in production with SIMULATOR=on',
      environment: { NODE_ENV: 'production', SIMULATOR: 'on' },
      status: 200,
    },
    { label: 'off with SIMULATOR=off', environment: { SIMULATOR: 'off' }, status: 404 },
  ])('simulator is $label', async ({ environment, status }) => {
    const switchboard = await createTestSwitchboard({ flowsDir: 'machines', environment })
    try {
      const page = await switchboard.app.request('/simulator')
      const routes = await switchboard.app.request('/simulator/api/routes')
      const session = await switchboard.app.request('/simulator/api/session?key=africastalking:x')
      expect(page.status).toBe(status)
      expect(routes.status).toBe(status)
      // Served, an unknown session is a JSON 404; switched off, the route does not exist.
      expect(session.status).toBe(404)
      expect(await session.text()).toContain(
        status === 200 ? 'No session is stored' : 'No route for GET /simulator/api/session',
      )
    } finally {
      await switchboard.close()
    }
  })
})

describe('simulator API', () => {
  it.each([
    { label: 'key missing', path: '/simulator/api/session', status: 400 },
    {
      label: 'unknown session',
      path: '/simulator/api/session?key=africastalking:none',
      status: 404,
    },
    { label: 'invalid phone', path: '/simulator/api/messages?phone=abc', status: 400 },
    // A `+` in a query string decodes as a space.
    {
      label: 'phone with + as space',
      path: '/simulator/api/messages?phone=+254700000001',
      status: 200,
    },
  ])('$label', async ({ path, status }) => {
    const switchboard = await createTestSwitchboard({ flowsDir: 'machines' })
    try {
      const response = await switchboard.app.request(path)
      expect(response.status).toBe(status)
    } finally {
      await switchboard.close()
    }
  })

  it('returns a stored session unmasked', async () => {
    const switchboard = await createTestSwitchboard({ flowsDir: 'machines' })
    try {
      await switchboard.hop({ sessionId: 's1', serviceCode: '*384*456#', text: '' })
      const response = await switchboard.app.request('/simulator/api/session?key=africastalking:s1')
      const session = (await response.json()) as Record<string, unknown>
      expect(response.status).toBe(200)
      expect(session['msisdn']).toBe('+254700000001')
      expect(session['flowId']).toBe('loans')
      expect(session['value']).toBe('language')
      expect(session['outbox']).toEqual([])
    } finally {
      await switchboard.close()
    }
  })
})
