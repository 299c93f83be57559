import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseSimulatorArguments, UsageError } from '../src/cli/simulator-options.ts'
import { parseVoiceScript, VoiceScriptError } from '../src/cli/voice-script.ts'
import type { VoiceSessionRecord } from '../src/engine/voice-session.ts'
import { freePort } from './support/start-redis.ts'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'

const running: ChildProcessWithoutNullStreams[] = []

/** Starts the simulator through tsx, as `npm run simulate` does, and collects what it prints. */
function startSimulator(args: readonly string[]) {
  const { SWITCHBOARD_URL: _ignored, ...environment } = process.env
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/simulate.ts', ...args], {
    env: environment,
  })
  running.push(child)

  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))

  /** Resolves once stdout shows `text` `times` times; rejects after 10 s or on exit. */
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

  const finished = async () => ({ code: await exited, stdout, stderr })
  return { child, waitForOutput, finished }
}

function runSimulator(args: readonly string[]) {
  const simulator = startSimulator(args)
  simulator.child.stdin.end()
  return simulator.finished()
}

function callIdOf(stdout: string): string {
  const match = /Call (ATVId_sim_[0-9a-f]{16}) -> /.exec(stdout)
  if (match?.[1] === undefined) throw new Error(`no call id in:\n${stdout}`)
  return match[1]
}

afterEach(() => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null) child.kill('SIGTERM')
  }
})

describe('voice simulator against Switchboard', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let server: Awaited<ReturnType<typeof listen>>
  let callArguments: string[]

  beforeAll(async () => {
    switchboard = await createTestSwitchboard()
    server = await listen(switchboard.app.fetch)
    callArguments = ['--voice', '--number', '+254711000000', '--url', server.baseUrl]
  })

  afterAll(async () => {
    await server.close()
    await switchboard.close()
  })

  const session = (callId: string) =>
    switchboard.store.load(`africastalking-voice:${callId}`) as Promise<VoiceSessionRecord | null>

  it('plays a call from --input', async () => {
    const result = await runSimulator([...callArguments, '--input', '4,9,,3'])

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Calling +254711000000 from +254700000001`)
    expect(result.stdout).toContain(
      '  says: Welcome to the Jamii hotline. Press 1 for Check balance.',
    )
    expect(result.stdout).toContain('  [press 1 key, or end with #]')
    expect(result.stdout).toContain('keys> 9\n  says: Choose a branch: Press 1 for Thika.')
    expect(result.stdout).toContain('  (no keys within 15 s)\n  says: We did not get your choice.')
    expect(result.stdout).toContain('  says: Nakuru & Naivasha is open from 8 to 5.\nCall ended.')

    const stored = await session(callIdOf(result.stdout))
    expect(stored?.status).toBe('done')
    expect(stored?.voice.ended?.status).toBe('Success')
    expect(stored?.voice.silentPrompts).toBe(0)
  })

  it('sends a simulated recording', async () => {
    const result = await runSimulator([...callArguments, '--input', '3,hello there'])

    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      '  [recording up to 60 s: type what you would say]\nsays> hello there',
    )
    expect(result.stdout).toContain('  says: Thank you. We got your message.')
    const stored = await session(callIdOf(result.stdout))
    expect(stored?.context['message']).toMatch(
      /^https:\/\/recordings\.example\.org\/simulated\/ATVId_sim_[0-9a-f]{16}-\d+\.mp3\?said=hello%20there$/,
    )
  })

  it('fails when the call ends early', async () => {
    const result = await runSimulator([...callArguments, '--input', '1,2,3'])

    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Your balance is KES')
    expect(result.stderr).toContain(
      'The call ended after 1 of 3 inputs, so these were not sent: 2,3.',
    )
  })

  it('hangs up when stdin ends', async () => {
    const simulator = startSimulator(callArguments)
    await simulator.waitForOutput('keys> ')
    simulator.child.stdin.write('5\n')
    await simulator.waitForOutput('Then press the hash key.')
    simulator.child.stdin.write('12345#\n')
    await simulator.waitForOutput('Account 12345 is active.')
    simulator.child.stdin.write('y\n')
    await simulator.waitForOutput('keys> ', 3)
    simulator.child.stdin.end()
    const result = await simulator.finished()

    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Call +254711000000 again? [y/N] ')
    expect(result.stdout).toContain('Hung up.')
    const callIds = [...result.stdout.matchAll(/Call (ATVId_sim_[0-9a-f]{16}) -> /g)].map(
      (match) => match[1] ?? '',
    )
    expect(callIds).toHaveLength(2)
    expect((await session(callIds[0]!))?.status).toBe('done')
    const hungUp = await session(callIds[1]!)
    expect(hungUp?.status).toBe('dropped')
    expect(hungUp?.voice.outcome).toBe('hung-up')
  })

  it('reports Switchboard not running', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const result = await runSimulator(['--voice', '--number', '+254711000000', '--url', url])

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`Switchboard is not running at ${url}/africastalking/voice.`)
  })
})

describe('voice simulator options', () => {
  it('defaults to the local voice route', () => {
    const parsed = parseSimulatorArguments(['--voice', '--number', '+254711000123'], {})

    expect(parsed).toEqual({
      help: false,
      options: {
        mode: 'voice',
        number: '+254711000123',
        phoneNumber: '+254700000001',
        url: 'http://127.0.0.1:3000/africastalking/voice',
      },
    })
  })

  it('adds the voice path to SWITCHBOARD_URL', () => {
    const parsed = parseSimulatorArguments(['--voice', '--number', '+254711000123'], {
      SWITCHBOARD_URL: 'http://127.0.0.1:4000',
    })

    expect(parsed.help).toBe(false)
    expect(parsed.help === false && parsed.options.url).toBe(
      'http://127.0.0.1:4000/africastalking/voice',
    )
  })

  it.each([
    { label: 'no number', args: ['--voice'], says: '--number is missing' },
    {
      label: 'a local number',
      args: ['--voice', '--number', '0711000123'],
      says: '--number "0711000123"',
    },
    {
      label: 'a USSD code',
      args: ['--voice', '--number', '+254711000123', '--code', '*384*123#'],
      says: '--code applies to USSD',
    },
    {
      label: 'a screen limit',
      args: ['--voice', '--number', '+254711000123', '--screen-limit', '160'],
      says: '--screen-limit applies to USSD',
    },
  ])('rejects $label', ({ args, says }) => {
    expect(() => parseSimulatorArguments(args, {})).toThrow(UsageError)
    expect(() => parseSimulatorArguments(args, {})).toThrow(says)
  })
})

describe('voice script reader', () => {
  it('reads actions and entities', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Response><GetDigits numDigits="1" finishOnKey="#" ' +
      'timeout="15" callbackUrl="http://127.0.0.1/v?step=2"><Say>A &amp; B &lt;3 &#233;</Say>' +
      '</GetDigits><Say>Bye</Say><Redirect>http://127.0.0.1/v?step=2&amp;timeout=1</Redirect>' +
      '<Play url="https://example.org/a.mp3"/><Dial phoneNumbers="+254700000003"/></Response>'

    expect(parseVoiceScript(body)).toEqual([
      {
        kind: 'getDigits',
        prompt: [{ kind: 'say', text: 'A & B <3 é' }],
        numDigits: 1,
        finishOnKey: '#',
        timeoutSeconds: 15,
        callbackUrl: 'http://127.0.0.1/v?step=2',
      },
      { kind: 'say', text: 'Bye' },
      { kind: 'redirect', url: 'http://127.0.0.1/v?step=2&timeout=1' },
      { kind: 'play', url: 'https://example.org/a.mp3' },
      { kind: 'unsupported', name: 'Dial' },
    ])
  })

  it.each([
    { label: 'plain text', body: 'OK', says: 'no <Response>' },
    {
      label: 'an unclosed element',
      body: '<Response><Say>Hi</Response>',
      says: '</Response> closes <Say>',
    },
    {
      label: 'a stray bracket',
      body: '<Response><Say>1 < 2</Say></Response>',
      says: 'unreadable XML',
    },
  ])('rejects $label', ({ body, says }) => {
    expect(() => parseVoiceScript(body)).toThrow(VoiceScriptError)
    expect(() => parseVoiceScript(body)).toThrow(says)
  })
})
