import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { walletBackend } from './fixtures/flows/wallet-backend.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

const mainMenu = 'CON Welcome\n1. Check balance\n2. Send money\n3. Register'
const recipientScreen = 'CON Enter recipient phone\n0. Back'
const amountScreen = 'CON Enter amount\n0. Back'
const nameScreen = 'CON Enter your full name\n0. Back'
const pinScreen = 'CON Enter a 4-digit PIN\n0. Back'
const sessionLost = 'END Sorry, this session could not continue. Please dial *384*123# again.'

/** One session: each cumulative `text` the gateway sends and the whole reply expected for it. */
interface Walk {
  readonly label: string
  readonly steps: readonly (readonly [text: string, reply: string])[]
  /** The name stored in the session after the last step, when the walk registers one. */
  readonly name?: string
}

const freeTextWalks: Walk[] = [
  {
    label: 'name containing a star',
    steps: [
      ['3', nameScreen],
      ['3*A*B', pinScreen],
      ['3*A*B*1234', 'END Registered'],
    ],
    name: 'A*B',
  },
  {
    label: 'name that is only a star',
    steps: [
      ['3', nameScreen],
      ['3**', 'CON Invalid name.\nEnter your full name\n0. Back'],
      ['3***Jane Doe', pinScreen],
    ],
    name: 'Jane Doe',
  },
  {
    label: 'name ending in a space',
    steps: [
      ['3', nameScreen],
      ['3*Jane Doe ', pinScreen],
      ['3*Jane Doe *1234', 'END Registered'],
    ],
    name: 'Jane Doe',
  },
  {
    label: 'name with stars at both ends',
    steps: [
      ['3', nameScreen],
      ['3**Jane*', pinScreen],
    ],
    name: '*Jane*',
  },
  {
    label: 'option followed by a space',
    steps: [
      ['', mainMenu],
      ['1 ', 'END Your balance is KES 100'],
    ],
  },
  {
    label: 'option preceded by a space',
    steps: [
      ['', mainMenu],
      [' 2', recipientScreen],
      [' 2*0700000002', amountScreen],
    ],
  },
]

const otherScriptWalks: Walk[] = [
  { label: 'Arabic-Indic digit first', steps: [['\u0662', recipientScreen]] },
  { label: 'Persian digit first', steps: [['\u06f2', recipientScreen]] },
  { label: 'full-width digit first', steps: [['\uff12', recipientScreen]] },
  {
    label: 'Arabic-Indic digit later',
    steps: [
      ['', mainMenu],
      ['\u0662', recipientScreen],
      ['\u0662*0700000002', amountScreen],
    ],
  },
  {
    label: 'Arabic-Indic phone number',
    steps: [
      ['2', recipientScreen],
      ['2*\u0660\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0662', amountScreen],
      [
        '2*\u0660\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0662*\u06f5\u06f0\u06f0',
        'CON Send KES 500 to +254700000002?\n1. Confirm\n0. Back',
      ],
    ],
  },
  { label: 'zero-width space after a digit', steps: [['2\u200b', recipientScreen]] },
]

const notExtendingWalks: Walk[] = [
  {
    label: 'different first input',
    steps: [
      ['2', recipientScreen],
      ['1*7', sessionLost],
    ],
  },
  {
    label: 'same length, different digits',
    steps: [
      ['2', recipientScreen],
      ['2*0700000002', amountScreen],
      ['2*0700000003*500', sessionLost],
    ],
  },
  {
    label: 'shorter text',
    steps: [
      ['2', recipientScreen],
      ['2*0700000002', amountScreen],
      ['2', sessionLost],
    ],
  },
  {
    label: 'no separator after the stored text',
    steps: [
      ['2', recipientScreen],
      ['21', sessionLost],
    ],
  },
  {
    label: 'callback after the session was lost',
    steps: [
      ['2', recipientScreen],
      ['1*7', sessionLost],
      ['1*7*1', 'END This session has ended. Please dial *384*123# again.'],
    ],
  },
]

describe.each(['memory', 'redis'] as const)('USSD input parsing (%s store)', (store) => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let counter = 0

  beforeAll(async () => {
    switchboard = await createTestSwitchboard({ store })
  })

  afterAll(async () => {
    await switchboard.close()
  })

  beforeEach(() => {
    walletBackend.reset()
  })

  async function run(walk: Walk): Promise<string> {
    counter += 1
    const sessionId = `ATUid_parsing_${counter}`
    for (const [text, reply] of walk.steps) {
      const response = await switchboard.hop({ sessionId, text })

      expect(response.status, `text ${JSON.stringify(text)}`).toBe(200)
      expect(response.body, `text ${JSON.stringify(text)}`).toBe(reply)
    }
    return sessionId
  }

  async function storedName(sessionId: string): Promise<unknown> {
    const record = await switchboard.store.load(`africastalking:${sessionId}`)
    return record?.context['name']
  }

  it.each(freeTextWalks)('reads free text: $label', async (walk) => {
    const sessionId = await run(walk)

    if (walk.name !== undefined) expect(await storedName(sessionId)).toBe(walk.name)
  })

  it.each(otherScriptWalks)('folds digits: $label', async (walk) => {
    await run(walk)
  })

  it('pays the recipient typed in Arabic-Indic digits', async () => {
    const walk = otherScriptWalks.find((candidate) => candidate.label.endsWith('phone number'))!
    const sessionId = await run(walk)
    const last = walk.steps.at(-1)![0]

    await switchboard.hop({ sessionId, text: `${last}*\u0661` })

    expect(walletBackend.payments).toHaveLength(1)
    expect(walletBackend.payments[0]?.to).toBe('+254700000002')
    expect(walletBackend.payments[0]?.amount).toBe(500)
  })

  it.each(notExtendingWalks)('ends the session on $label', async (walk) => {
    const sessionId = await run(walk)

    const record = await switchboard.store.load(`africastalking:${sessionId}`)
    expect(record?.status).toBe('failed')
    expect(walletBackend.payments).toEqual([])
  })

  it('logs a text that does not extend the session', async () => {
    const sessionId = await run(notExtendingWalks[0]!)

    const warning = switchboard.logs.lines.find(
      (line) =>
        line['sessionId'] === sessionId &&
        line['msg'] === 'input does not extend the previous input, ending the session',
    )
    expect(warning?.['level']).toBe(40)
  })

  it('keeps a star name through registration', async () => {
    const sessionId = await run(freeTextWalks[0]!)

    const record = await switchboard.store.load(`africastalking:${sessionId}`)
    expect(record?.status).toBe('done')
    expect(record?.context['name']).toBe('A*B')
  })
})
