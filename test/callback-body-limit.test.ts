import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultHopFields } from './support/ussd-client.ts'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'

const path = '/africastalking/ussd'

function form(sessionId: string, text: string): string {
  return new URLSearchParams({ ...defaultHopFields, sessionId, text }).toString()
}

// fetch sends a string body with Content-Length and a stream body with Transfer-Encoding: chunked.
const cases = [
  { label: 'declared length within the limit', text: '', chunked: false, status: 200 },
  { label: 'declared length over the limit', text: '1'.repeat(9000), chunked: false, status: 413 },
  { label: 'chunked body within the limit', text: '', chunked: true, status: 200 },
  { label: 'chunked body over the limit', text: '1'.repeat(9000), chunked: true, status: 413 },
]

describe('USSD callback body limit over a socket', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let server: Awaited<ReturnType<typeof listen>>

  beforeAll(async () => {
    switchboard = await createTestSwitchboard()
    server = await listen(switchboard.app.fetch)
  })

  afterAll(async () => {
    await server.close()
    await switchboard.close()
  })

  it.each(cases)('answers $label with $status', async ({ label, text, chunked, status }) => {
    const body = form(`ATUid_limit_${label.replaceAll(' ', '_')}`, text)
    const response = await fetch(server.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: chunked ? new Blob([body]).stream() : body,
      duplex: 'half',
    } as RequestInit)
    const reply = await response.text()

    expect(response.status).toBe(status)
    if (status === 413) expect(reply).toMatch(/larger than 8192 bytes/)
    else expect(reply).toMatch(/^CON Welcome\n1\. Check balance/)
  })
})
