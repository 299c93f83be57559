import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { walletBackend } from './fixtures/flows/wallet-backend.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import { walk } from './support/ussd-client.ts'

const apology = 'END Sorry, something went wrong. Please try again later.'

const failures = [
  {
    label: 'balance backend error with onError',
    serviceCode: '*384*123#',
    texts: ['', '1'],
    reply: 'END Sorry, we could not get your balance. Please try again later.',
  },
  {
    label: 'balance backend error in a shortcut dial',
    serviceCode: '*384*123#',
    texts: ['1'],
    reply: 'END Sorry, we could not get your balance. Please try again later.',
  },
  {
    label: 'withdrawal error without onError',
    serviceCode: '*384*200#',
    texts: ['', '1234', '1234*2'],
    reply: apology,
  },
  {
    label: 'withdrawal error in a shortcut dial',
    serviceCode: '*384*200#',
    texts: ['1234*2'],
    reply: apology,
  },
]

describe('USSD flow failures', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let counter = 0
  const nextSessionId = () => {
    counter += 1
    return `ATUid_failures_${counter}`
  }

  beforeAll(async () => {
    switchboard = await createTestSwitchboard({ store: 'redis' })
  })

  afterAll(async () => {
    await switchboard.close()
  })

  beforeEach(() => {
    walletBackend.reset()
    walletBackend.balanceFails = true
  })

  it.each(failures)('ends politely on $label', async ({ serviceCode, texts, reply }) => {
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, texts.slice(0, -1), { serviceCode })

    const response = await switchboard.hop({ sessionId, serviceCode, text: texts.at(-1) })

    expect(response.status).toBe(200)
    expect(response.contentType).toMatch(/^text\/plain\b/)
    expect(response.body).toBe(reply)
  })

  it('logs an unhandled task error with the session id', async () => {
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, ['', '1234', '1234*2'], { serviceCode: '*384*200#' })

    const line = switchboard.logs.lines.find(
      (entry) => entry['sessionId'] === sessionId && entry['msg'] === 'flow failed during the hop',
    )
    expect(line?.['level']).toBe(50)
    const error = line?.['err'] as { type?: string; message?: string } | undefined
    expect(error?.type).toBe('FlowError')
    expect(error?.message).toContain('does not handle TASK.ERROR from task "withdraw"')
  })

  it('logs the task error itself', async () => {
    const sessionId = nextSessionId()
    await walk(switchboard.hop, sessionId, ['1234*2'], { serviceCode: '*384*200#' })

    const line = switchboard.logs.lines.find(
      (entry) => entry['sessionId'] === sessionId && entry['msg'] === 'flow task failed',
    )
    expect(line?.['task']).toBe('withdraw')
    const error = line?.['err'] as { message?: string } | undefined
    expect(error?.message).toBe('withdrawal service returned 500')
  })

  it('repeats the apology for a retried hop', async () => {
    const sessionId = nextSessionId()
    const bodies = await walk(switchboard.hop, sessionId, ['', '1234', '1234*2', '1234*2'], {
      serviceCode: '*384*200#',
    })

    expect(bodies.slice(2)).toEqual([apology, apology])
  })
})
