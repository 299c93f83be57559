import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { walletBackend } from './fixtures/flows/wallet-backend.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

const wallet = '*384*123#'
const pinbank = '*384*200#'

const mainMenu = 'CON Welcome\n1. Check balance\n2. Send money\n3. Register'
const invalidMain = `CON Invalid choice.\n${mainMenu.slice(4)}`
const balance = 'END Your balance is KES 100'
const recipientScreen = 'CON Enter recipient phone\n0. Back'
const amountScreen = 'CON Enter amount\n0. Back'
const nameScreen = 'CON Enter your full name\n0. Back'
const confirm500 = 'CON Send KES 500 to +254700000002?\n1. Confirm\n0. Back'
const sent = 'END Sent. You will get an SMS.'

const enterPin = 'CON Enter PIN'
const bankMain = 'CON Main\n1. Deposit\n2. Withdraw'
const depositAmount = 'CON Enter deposit amount\n0. Back'
const depositConfirm = 'CON Deposit KES 500?\n1. Confirm\n0. Back'

/** One session: each cumulative `text` the gateway sends and the whole reply expected for it. */
interface Walk {
  readonly label: string
  readonly serviceCode?: string
  readonly steps: readonly (readonly [text: string, reply: string])[]
  /** Payments the wallet backend received by the end of the walk, each as `500 to +254...`. */
  readonly payments?: readonly string[]
}

const fastDialWalks: Walk[] = [
  { label: 'empty text', steps: [['', mainMenu]] },
  { label: 'balance in one hop', steps: [['1', balance]] },
  { label: 'recipient preset', steps: [['2*0700000002', amountScreen]] },
  { label: 'payment preset stops at confirm', steps: [['2*0700000002*500', confirm500]] },
  {
    label: 'confirm key in the preset',
    steps: [['2*0700000002*500*1', confirm500]],
    payments: [],
  },
  {
    label: 'confirm after a preset stop',
    steps: [
      ['2*0700000002*500*1', confirm500],
      ['2*0700000002*500*1*1', sent],
    ],
    payments: ['500 to +254700000002'],
  },
  { label: 'invalid first choice', steps: [['9', invalidMain]] },
  { label: 'back key as first input', steps: [['0', invalidMain]] },
  { label: 'home key as first input', steps: [['00', mainMenu]] },
  {
    label: 'invalid phone stops the replay',
    steps: [['2*abc*500', 'CON Invalid phone number.\nEnter recipient phone\n0. Back']],
  },
  {
    label: 'invalid amount stops the replay',
    steps: [['2*0700000002*abc*1', 'CON Invalid amount.\nEnter amount\n0. Back']],
    payments: [],
  },
  {
    label: 'invalid choice stops the replay',
    steps: [['9*1', invalidMain]],
  },
  {
    label: 'next hop after a stopped replay',
    steps: [
      ['2*abc', 'CON Invalid phone number.\nEnter recipient phone\n0. Back'],
      ['2*abc*0700000002', amountScreen],
    ],
  },
  { label: 'back key inside the preset', steps: [['2*0*1', balance]] },
  { label: 'home key inside the preset', steps: [['2*0700000002*00*3', nameScreen]] },
  {
    label: 'PIN and menu choice',
    serviceCode: pinbank,
    steps: [['1234*1', depositAmount]],
  },
]

const pinWalks: Walk[] = [
  {
    label: 'login then deposit',
    serviceCode: pinbank,
    steps: [
      ['', enterPin],
      ['1234', bankMain],
      ['1234*1', depositAmount],
      ['1234*1*500', depositConfirm],
      ['1234*1*500*1', 'END Deposited KES 500.'],
    ],
  },
  {
    label: 'short PIN then login',
    serviceCode: pinbank,
    steps: [
      ['12', 'CON Invalid PIN.\nEnter PIN'],
      ['12*1234', bankMain],
      ['12*1234*1', depositAmount],
    ],
  },
  {
    label: 'wrong PIN then login',
    serviceCode: pinbank,
    steps: [
      ['', enterPin],
      ['9999', 'CON Invalid PIN. Enter PIN'],
      ['9999*1234', bankMain],
      ['9999*1234*1', depositAmount],
      ['9999*1234*1*500', depositConfirm],
    ],
  },
  {
    label: 'four-digit amount after login',
    serviceCode: pinbank,
    steps: [
      ['1234', bankMain],
      ['1234*1', depositAmount],
      ['1234*1*1234', 'CON Deposit KES 1234?\n1. Confirm\n0. Back'],
    ],
  },
  {
    label: 'back from deposit to main',
    serviceCode: pinbank,
    steps: [
      ['1234', bankMain],
      ['1234*1', depositAmount],
      ['1234*1*0', bankMain],
      ['1234*1*0*1', depositAmount],
    ],
  },
  {
    label: 'back on main after login',
    serviceCode: pinbank,
    steps: [
      ['1234', bankMain],
      ['1234*0', `CON Invalid choice.\n${bankMain.slice(4)}`],
    ],
  },
]

const backAndHomeWalks: Walk[] = [
  {
    label: 'back then a main menu choice',
    steps: [
      ['', mainMenu],
      ['2', recipientScreen],
      ['2*0', mainMenu],
      ['2*0*1', balance],
    ],
  },
  {
    label: 'home then register then back',
    steps: [
      ['', mainMenu],
      ['2', recipientScreen],
      ['2*0700000002', amountScreen],
      ['2*0700000002*00', mainMenu],
      ['2*0700000002*00*3', nameScreen],
      ['2*0700000002*00*3*0', mainMenu],
    ],
  },
  {
    label: 'back on the main menu',
    steps: [
      ['', mainMenu],
      ['0', invalidMain],
      ['0*1', balance],
    ],
  },
  {
    label: 'back on the name screen',
    steps: [
      ['3', nameScreen],
      ['3*0', mainMenu],
      ['3*0*3', nameScreen],
    ],
  },
  {
    label: 'back twice from amount',
    steps: [
      ['2', recipientScreen],
      ['2*0700000002', amountScreen],
      ['2*0700000002*0', recipientScreen],
      ['2*0700000002*0*0', mainMenu],
    ],
  },
  {
    label: 'back from confirm changes the amount',
    steps: [
      ['2*0700000002*500', confirm500],
      ['2*0700000002*500*0', amountScreen],
      ['2*0700000002*500*0*700', 'CON Send KES 700 to +254700000002?\n1. Confirm\n0. Back'],
      ['2*0700000002*500*0*700*1', sent],
    ],
    payments: ['700 to +254700000002'],
  },
  {
    label: 'home on the confirm screen',
    steps: [
      ['2*0700000002*500', confirm500],
      ['2*0700000002*500*00', mainMenu],
      ['2*0700000002*500*00*1', balance],
    ],
    payments: [],
  },
  {
    label: 'home on the main menu',
    steps: [
      ['', mainMenu],
      ['00', mainMenu],
      ['00*2', recipientScreen],
    ],
  },
]

const rejectedInputWalks: Walk[] = [
  {
    label: 'invalid menu choice',
    steps: [
      ['', mainMenu],
      ['9', invalidMain],
      ['9*1', balance],
    ],
  },
  {
    label: 'letters as the amount',
    steps: [
      ['2', recipientScreen],
      ['2*0700000002', amountScreen],
      ['2*0700000002*abc', 'CON Invalid amount.\nEnter amount\n0. Back'],
      ['2*0700000002*abc*500', confirm500],
      ['2*0700000002*abc*500*1', sent],
    ],
    payments: ['500 to +254700000002'],
  },
  {
    label: 'several rejections in a row',
    steps: [
      ['', mainMenu],
      ['7', invalidMain],
      ['7*8', invalidMain],
      ['7*8*2', recipientScreen],
      ['7*8*2*07000', 'CON Invalid phone number.\nEnter recipient phone\n0. Back'],
      ['7*8*2*07000*0700000002', amountScreen],
      ['7*8*2*07000*0700000002*0', recipientScreen],
    ],
  },
  {
    label: 'invalid choice on confirm',
    steps: [
      ['2*0700000002*500', confirm500],
      ['2*0700000002*500*5', `CON Invalid choice.\n${confirm500.slice(4)}`],
      ['2*0700000002*500*5*1', sent],
    ],
    payments: ['500 to +254700000002'],
  },
]

describe.each(['memory', 'redis'] as const)('USSD navigation (%s store)', (store) => {
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

  async function run(walk: Walk): Promise<{ sessionId: string; bodies: string[] }> {
    counter += 1
    const sessionId = `ATUid_navigation_${counter}`
    const bodies: string[] = []
    for (const [text, reply] of walk.steps) {
      const serviceCode = walk.serviceCode ?? wallet
      const response = await switchboard.hop({ sessionId, text, serviceCode })
      bodies.push(response.body)

      expect(response.status, `text ${JSON.stringify(text)}`).toBe(200)
      expect(response.body, `text ${JSON.stringify(text)}`).toBe(reply)
    }

    if (walk.payments !== undefined) {
      const received = walletBackend.payments.map((payment) => `${payment.amount} to ${payment.to}`)
      expect(received).toEqual(walk.payments)
    }
    return { sessionId, bodies }
  }

  it.each(fastDialWalks)('replays a first hop: $label', async (walk) => {
    await run(walk)
  })

  it.each(pinWalks)('routes after a PIN: $label', async (walk) => {
    await run(walk)
  })

  it.each(backAndHomeWalks)('navigates: $label', async (walk) => {
    await run(walk)
  })

  it.each(rejectedInputWalks)('keeps steps after $label', async (walk) => {
    await run(walk)
  })

  it('never uses a rejected amount', async () => {
    await run(rejectedInputWalks[1]!)

    expect(walletBackend.payments).toHaveLength(1)
    expect(walletBackend.payments[0]?.amount).toBe(500)
    expect(walletBackend.payments[0]?.to).toBe('+254700000002')
  })

  it('keeps the PIN out of replies, logs and storage', async () => {
    const pins = ['1234', '9999']
    const sessions = await Promise.all(pinWalks.slice(0, 3).map((walk) => run(walk)))

    for (const { bodies } of sessions) {
      for (const body of bodies) {
        for (const pin of pins) expect(body).not.toContain(pin)
      }
    }

    // The time, the random request id and the duration are left out, because their digits can
    // match a PIN by chance.
    const logLines = switchboard.logs.lines.map(
      ({ time: _time, requestId: _id, ms: _ms, ...rest }) => JSON.stringify(rest),
    )
    expect(logLines.length).toBeGreaterThan(0)
    for (const line of logLines) {
      for (const pin of pins) expect(line).not.toContain(pin)
    }

    for (const { sessionId } of sessions) {
      const record = await switchboard.store.load(`africastalking:${sessionId}`)
      expect(record).not.toBeNull()
      const { updatedAt: _updatedAt, ...stored } = record!
      for (const pin of pins) expect(JSON.stringify(stored)).not.toContain(pin)
    }
  })
})
