import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OutboxMessage } from '../src/messaging/outbox-store.ts'
import { postSms, smsFields } from './support/inbound-sms.ts'
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
const nursesToken = 'nurses-token-0123456789abcdef'
const person = '+254700000077'

describe('agent inbox in Chromium', () => {
  let board: Awaited<ReturnType<typeof createTestSwitchboard>>
  let server: Awaited<ReturnType<typeof listen>>
  let profile: string
  let browser: BrowserContext
  let page: Page
  const outsideRequests: string[] = []
  let sent: OutboxMessage[] = []

  /** Reads the text of an element with white space folded. */
  const textOf = async (selector: string) =>
    ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()

  /** SMS queued since the last call, as the outbox worker would take them. */
  const takeSent = async () => {
    sent = [...sent, ...(await board.messaging.outboxStore.claim(Date.now() + 1000, 1000, 60_000))]
    return sent
  }

  beforeAll(async () => {
    board = await createTestSwitchboard({
      flowsDir: 'machines',
      realSms: true,
      environment: {
        FLOWS_WATCH: 'off',
        TEAM_TOKENS: `nurses:${nursesToken},finance:finance-token-0123456789abcdef`,
      },
    })
    const earlier = { from: person, to: '21513', text: 'I paid 500 but it is not reflected' }
    await postSms(board.app, smsFields(earlier))
    const question = { from: person, to: '21512', text: 'How many tablets a day?' }
    await postSms(board.app, smsFields(question))
    await postSms(board.app, smsFields({ from: '+254700000078', to: '21512', text: 'chest pain' }))
    await takeSent()

    server = await listen(board.app.fetch)
    profile = await mkdtemp(join(tmpdir(), 'switchboard-chromium-'))
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumFlags,
      viewport: { width: 1280, height: 900 },
    })
    page = browser.pages()[0] ?? (await browser.newPage())
    page.on('request', (request) => {
      if (!request.url().startsWith(`${server.baseUrl}/`)) outsideRequests.push(request.url())
    })
    await page.goto(`${server.baseUrl}/inbox`)
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await board?.sms.close()
    await board?.messaging.close()
    await board?.close()
    if (profile !== undefined) await rm(profile, { recursive: true, force: true })
  })

  it('rejects a wrong token', async () => {
    await page.fill('#team', 'nurses')
    await page.fill('#token', 'not-the-token')
    await page.fill('#agent', 'Amina')
    await page.click('#sign-in')

    await expect
      .poll(() => textOf('#status'))
      .toBe('Unknown bearer token. Check the token for your team.')
    expect(await page.isVisible('#desk')).toBe(false)
  })

  it('signs in and lists the queue', async () => {
    await page.fill('#token', nursesToken)
    await page.click('#sign-in')

    await expect.poll(() => page.locator('#queue tr').count()).toBe(2)
    const rows = await page.locator('#queue tr').allTextContents()
    expect(rows[0]).toContain('urgent')
    expect(rows[0]).toContain('danger-signs')
    expect(rows[1]).toContain('medication')
    expect(await textOf('#who')).toBe('Amina - team nurses')
  })

  it('claims and shows the context', async () => {
    await page.click('#queue tr:nth-child(2)')
    await expect.poll(() => textOf('#detail-text')).toBe('How many tablets a day?')
    await page.click('#claim')

    await expect.poll(() => textOf('#status')).toMatch(/^Claimed REF-\w{6}\.$/)
    await expect.poll(() => textOf('#detail-status')).toBe('claimed by Amina')
    expect(await textOf('#detail-contact')).toBe(`${person} - language unknown - not opted out`)
    expect(await textOf('#asked-before')).toMatch(
      /I paid 500 but it is not reflected \(REF-\w{6}\)/,
    )
    expect(await textOf('#recent-sent')).toContain('Our finance team will check your payment')
    const events = await page.locator('#events li').allTextContents()
    expect(events.map((event) => event.replace(/^.*? (?=queued|claimed)/, ''))).toEqual([
      'queued by switchboard',
      'claimed by Amina',
    ])
  })

  it('sends a reply by SMS', async () => {
    await page.fill('#reply-text', 'Take one tablet twice a day after food.')
    await page.click('#send-reply')

    await expect.poll(() => textOf('#status')).toMatch(/^Reply sent to REF-\w{6}\.$/)
    const reference = await textOf('#detail-reference')
    const replies = (await takeSent()).filter((sms) => sms.to === person)
    expect(replies.at(-1)?.text).toBe(`Take one tablet twice a day after food. (Ref ${reference})`)
    await expect
      .poll(async () => (await page.locator('#events li').allTextContents()).at(-1))
      .toMatch(/ reply by Amina: Take one tablet twice a day after food\.$/)
  })

  it('resolves with a closing SMS', async () => {
    const reference = await textOf('#detail-reference')
    await page.fill('#resolve-text', 'Come back if the pain continues.')
    await page.click('#resolve')

    await expect
      .poll(() => textOf('#status'))
      .toBe(`Resolved ${reference}; the person was sent the closing SMS.`)
    await expect.poll(() => page.locator('#queue tr').count()).toBe(1)
    const closing = (await takeSent()).filter((sms) => sms.to === person).at(-1)
    expect(closing?.text).toBe(
      `Your medication question ${reference} is resolved: Come back if the pain continues.`,
    )

    await mkdir(artifactsDir, { recursive: true })
    await page.screenshot({ path: join(artifactsDir, 'inbox-page.png'), fullPage: true })
  })

  it('fetches nothing from elsewhere', () => {
    expect(outsideRequests).toEqual([])
  })
})
