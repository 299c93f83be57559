import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseSimulatorArguments, UsageError } from '../src/cli/simulator-options.ts'
import { freePort } from './support/start-redis.ts'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'

type Switchboard = Awaited<ReturnType<typeof createTestSwitchboard>>
type Server = Awaited<ReturnType<typeof listen>>

const running: ChildProcessWithoutNullStreams[] = []

/**
 * Starts the simulator as `npm run simulate` does, through tsx, and collects what it prints.
 * Node loads tsx directly because going through npx adds about half a second per run.
 */
function startSimulator(args: readonly string[], environment: Record<string, string> = {}) {
  const { SWITCHBOARD_URL: _ignored, ...inherited } = process.env
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/simulate.ts', ...args], {
    env: { ...inherited, ...environment },
  })
  running.push(child)

  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))

  /**
   * Resolves once stdout contains `text` `times` times. Rejects with the transcript if the
   * simulator exits first or has not printed it within 10 s, well before the test timeout.
   */
  const waitForOutput = (text: string, times = 1) =>
    new Promise<void>((resolve, reject) => {
      const fail = (reason: string) =>
        reject(new Error(`${reason} before printing "${text}":\n${stdout}\n${stderr}`))
      const timer = setTimeout(() => fail('waited 10 s'), 10_000)
      const check = () => {
        if (stdout.split(text).length - 1 < times) return
        clearTimeout(timer)
        child.stdout.off('data', check)
        resolve()
      }

      child.stdout.on('data', check)
      void exited.then(() => fail('exited'))
      check()
    })

  const finished = async () => {
    const code = await exited
    return { code, stdout, stderr }
  }

  return { child, waitForOutput, finished }
}

function runSimulator(args: readonly string[], environment: Record<string, string> = {}) {
  const simulator = startSimulator(args, environment)
  simulator.child.stdin.end()
  return simulator.finished()
}

afterEach(() => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null) child.kill('SIGTERM')
  }
})

describe('simulator against Switchboard', () => {
  let switchboard: Switchboard
  let server: Server
  let dialArguments: string[]

  beforeAll(async () => {
    switchboard = await createTestSwitchboard()
    server = await listen(switchboard.app.fetch)
    dialArguments = ['--code', '*384*123#', '--url', `${server.baseUrl}/africastalking/ussd`]
  })

  afterAll(async () => {
    await server.close()
    await switchboard.close()
  })

  it('walks flow from --input', async () => {
    const result = await runSimulator([...dialArguments, '--input', '2,0700000002,500,1'])

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Session ATUid_sim_[0-9a-f]{16} -> /)
    expect(result.stdout).toContain('│ Welcome ')
    expect(result.stdout).toContain('Enter recipient phone')
    expect(result.stdout).toContain('Send KES 500 to +254700000002?')
    expect(result.stdout).toContain('Sent. You will get an SMS.')
    expect(result.stdout).toContain('> 0700000002')
    expect(result.stdout).toContain('Session ended.')
  })

  it('counts screen characters against 182', async () => {
    const result = await runSimulator([...dialArguments, '--input', ''])

    // "Welcome\n1. Check balance\n2. Send money\n3. Register" is 50 characters.
    expect(result.stdout).toMatch(/│ 50\/182 characters +CON │/)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('The session is still open: every --input was sent.')
  })

  it('reads replies from stdin', async () => {
    const simulator = startSimulator(dialArguments)
    const replies: [shown: string, reply: string][] = [
      ['Welcome', '2'],
      ['Enter recipient phone', '0700000002'],
      ['Enter amount', '500'],
      ['Send KES 500 to +254700000002?', '1'],
      ['Dial *384*123# again? [y/N] ', 'y'],
    ]

    for (const [shown, reply] of replies) {
      await simulator.waitForOutput(shown)
      simulator.child.stdin.write(`${reply}\n`)
    }
    await simulator.waitForOutput('Welcome', 2)
    simulator.child.stdin.end()
    const result = await simulator.finished()

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Sent. You will get an SMS.')
    expect(result.stdout).toContain('> 500\n')
    const sessionIds = result.stdout.match(/ATUid_sim_[0-9a-f]+/g) ?? []
    expect(sessionIds).toHaveLength(2)
    expect(sessionIds[0]).not.toBe(sessionIds[1])
  })

  it('stops at end when not redialled', async () => {
    const simulator = startSimulator(dialArguments)
    simulator.child.stdin.end('1\nn\n')
    const result = await simulator.finished()

    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Your balance is KES 100')
    expect(result.stdout.split('Welcome')).toHaveLength(2)
  })

  it('fails when session ends early', async () => {
    const result = await runSimulator([...dialArguments, '--input', '1,1,2'])

    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Your balance is KES 100')
    expect(result.stderr).toContain(
      'The session ended after 1 of 3 inputs, so these were not sent: 1,2.',
    )
  })

  it('shows non-200 status and body', async () => {
    const result = await runSimulator([
      ...dialArguments.slice(0, 2),
      '--url',
      `${server.baseUrl}/nowhere`,
      '--input',
      '1',
    ])

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `Switchboard replied HTTP 404 instead of 200 at ${server.baseUrl}/nowhere:`,
    )
    expect(result.stderr).toContain('No route for POST /nowhere.')
  })

  it('takes base URL from SWITCHBOARD_URL', async () => {
    const result = await runSimulator(['--code', '*384*123#', '--input', '1'], {
      SWITCHBOARD_URL: server.baseUrl,
    })

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`-> ${server.baseUrl}/africastalking/ussd`)
    expect(result.stdout).toContain('Your balance is KES 100')
  })
})

describe('simulator on the wire', () => {
  const received: Record<string, string>[] = []
  let reply = (_text: string) => new Response('CON Next')
  let server: Server

  beforeAll(async () => {
    server = await listen(async (request) => {
      const form = Object.fromEntries(new URLSearchParams(await request.text()))
      received.push({ ...form, path: new URL(request.url).pathname })
      return reply(form['text'] ?? '')
    })
  })

  afterEach(() => {
    received.splice(0)
    reply = () => new Response('CON Next')
  })

  afterAll(() => server.close())

  it('posts cumulative text per hop', async () => {
    const result = await runSimulator([
      '--code',
      '*384*123#',
      '--phone',
      '+254700000009',
      '--network',
      '63903',
      '--url',
      server.baseUrl,
      '--input',
      '2,0700000002,5*00',
    ])

    expect(result.code).toBe(0)
    expect(received.map((form) => form['text'])).toEqual([
      '',
      '2',
      '2*0700000002',
      '2*0700000002*5*00',
    ])
    const sessionIds = new Set(received.map((form) => form['sessionId']))
    expect(sessionIds.size).toBe(1)
    expect([...sessionIds][0]).toMatch(/^ATUid_sim_[0-9a-f]{16}$/)
    for (const form of received) {
      expect(form['path']).toBe('/africastalking/ussd')
      expect(form['serviceCode']).toBe('*384*123#')
      expect(form['phoneNumber']).toBe('+254700000009')
      expect(form['networkCode']).toBe('63903')
    }
  })

  it.each([
    {
      label: 'screen over the limit',
      body: `END ${'x'.repeat(190)}`,
      code: 0,
      stdout: '190/182 characters, 8 over',
      stderr: '',
    },
    {
      label: 'characters outside GSM-7',
      body: 'END Paid ✓',
      code: 0,
      stdout: 'Not in GSM-7, may show wrongly on handsets: ✓',
      stderr: '',
    },
    {
      label: 'long line wrapped between words',
      body: 'END Your request was received and will be processed',
      code: 0,
      stdout: '│ Your request was received and  │\n│ will be processed',
      stderr: '',
    },
    {
      label: 'reply without CON or END',
      body: ' CON Welcome',
      code: 1,
      stdout: '',
      stderr: 'with a body that does not start with "CON " or "END ":\n  " CON Welcome"',
    },
    {
      label: 'server error',
      body: null,
      code: 1,
      stdout: '',
      stderr: 'Switchboard replied HTTP 500 instead of 200',
    },
  ])('shows $label', async ({ body, code, stdout, stderr }) => {
    reply = () =>
      body === null ? new Response('Internal error.', { status: 500 }) : new Response(body)

    const result = await runSimulator([
      '--code',
      '*384*123#',
      '--url',
      server.baseUrl,
      '--input',
      '',
    ])

    expect(result.code).toBe(code)
    expect(result.stdout).toContain(stdout)
    expect(result.stderr).toContain(stderr)
  })
})

describe('simulator errors', () => {
  it('reports Switchboard not running', async () => {
    const url = `http://127.0.0.1:${await freePort()}/africastalking/ussd`

    const result = await runSimulator(['--code', '*384*123#', '--url', url, '--input', '1'])

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `Switchboard is not running at ${url}. Start it with npm start.`,
    )
  })

  it('exits 2 on invalid options', async () => {
    const result = await runSimulator(['--code', '*384*123'])

    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      `--code "*384*123" is not a USSD code. Use the form '*384*123#'.`,
    )
    expect(result.stdout).toBe('')
  })

  it.each([
    {
      label: 'missing code',
      args: [],
      message: '--code is missing.',
    },
    {
      label: 'local phone number',
      args: ['--code', '*384*123#', '--phone', '0700000001'],
      message: '--phone "0700000001" is not in international format.',
    },
    {
      label: 'letters in network code',
      args: ['--code', '*384*123#', '--network', 'safaricom'],
      message: '--network "safaricom" is not a network code.',
    },
    {
      label: 'URL without scheme',
      args: ['--code', '*384*123#', '--url', 'localhost:3000'],
      message: '--url "localhost:3000" must start with http:// or https://.',
    },
    {
      label: 'text that is not a URL',
      args: ['--code', '*384*123#', '--url', '127.0.0.1:3000'],
      message: '--url "127.0.0.1:3000" is not a URL.',
    },
    {
      label: 'zero screen limit',
      args: ['--code', '*384*123#', '--screen-limit', '0'],
      message: '--screen-limit "0" is not a positive whole number',
    },
    {
      label: 'unknown option',
      args: ['--code', '*384*123#', '--colour'],
      message: "Unknown option '--colour'",
    },
    {
      label: 'positional argument',
      args: ['--code', '*384*123#', '+254700000001'],
      message: 'Unexpected argument "+254700000001".',
    },
  ])('rejects $label', ({ args, message }) => {
    expect(() => parseSimulatorArguments(args, {})).toThrow(UsageError)
    expect(() => parseSimulatorArguments(args, {})).toThrow(message)
  })

  it('adds callback path to base URL', () => {
    const parsed = parseSimulatorArguments(['--code', '*384*123#'], {
      SWITCHBOARD_URL: 'http://127.0.0.1:4000',
    })

    if (parsed.help) throw new Error('expected options, got --help')
    expect(parsed.options.url).toBe('http://127.0.0.1:4000/africastalking/ussd')
  })

  it('defaults to local Switchboard', () => {
    const parsed = parseSimulatorArguments(['--code', '*384*123#'], {})

    expect(parsed).toEqual({
      help: false,
      options: {
        mode: 'ussd',
        serviceCode: '*384*123#',
        phoneNumber: '+254700000001',
        networkCode: '63902',
        url: 'http://127.0.0.1:3000/africastalking/ussd',
        screenLimit: 182,
      },
    })
  })

  it('prints usage for --help', async () => {
    const result = await runSimulator(['--help'])

    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Usage: npm run simulate -- --code '*384*123#' [options]")
    expect(result.stdout).toContain('--input LIST')
  })
})
