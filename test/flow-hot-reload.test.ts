import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { watchFlows, type FlowWatcher } from '../src/flows/watch-flows.ts'
import { createLogger } from '../src/logger.ts'
import { createTestSwitchboard, LogCapture } from './support/test-switchboard.ts'

const fixtureDir = 'test/fixtures/flows'
const walletFiles = ['wallet.flow.yaml', 'wallet.tasks.ts', 'wallet-backend.ts']

describe('flow hot reload', () => {
  let directory: string
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let watcher: FlowWatcher
  let logs: LogCapture

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-flows-'))
    for (const name of walletFiles) await copyFile(join(fixtureDir, name), join(directory, name))
    await writeFile(join(directory, 'routes.yaml'), "ussd:\n  '*384*123#': wallet\n")
    // Tasks modules load as ES modules, whose import cache a reload can bypass.
    await writeFile(join(directory, 'package.json'), '{ "type": "module" }\n')

    switchboard = await createTestSwitchboard({ flowsDir: directory })
    logs = new LogCapture()
    watcher = watchFlows({
      directory,
      registry: switchboard.registry,
      logger: createLogger({ level: 'debug', destination: logs }),
      settings: { screenLimit: 182, defaultCountryCode: '254' },
      keepRevisionsForMs: 240_000,
      debounceMs: 50,
    })
  })

  afterEach(async () => {
    watcher.close()
    await switchboard.close()
    await rm(directory, { recursive: true, force: true })
  })

  async function editFile(name: string, from: string, to: string): Promise<void> {
    const path = join(directory, name)
    const source = await readFile(path, 'utf8')
    expect(source).toContain(from)
    await writeFile(path, source.replace(from, to))
  }

  function logged(message: string): Record<string, unknown>[] {
    return logs.lines.filter((line) => line['msg'] === message)
  }

  async function waitForLog(message: string, count = 1): Promise<Record<string, unknown>> {
    await expect.poll(() => logged(message).length, { timeout: 5000 }).toBeGreaterThanOrEqual(count)
    return logged(message)[count - 1] as Record<string, unknown>
  }

  async function screen(sessionId: string, text: string): Promise<string> {
    const reply = await switchboard.hop({ sessionId, text })
    expect(reply.status).toBe(200)
    return reply.body
  }

  it('new session shows the edited prompt', async () => {
    expect(await screen('before', '')).toMatch(/^CON Welcome\n1\. Check balance/)
    const oldRevision = switchboard.registry.get('wallet')?.revision

    await editFile('wallet.flow.yaml', 'prompt: Welcome\n', 'prompt: Welcome back\n')
    const reloaded = await waitForLog('flow reloaded')

    expect(reloaded['flow']).toBe('wallet')
    expect(reloaded['previousRevision']).toBe(oldRevision)
    expect(reloaded['revision']).not.toBe(oldRevision)
    expect(await screen('after', '')).toMatch(/^CON Welcome back\n1\. Check balance/)
  })

  it('running session finishes on its revision', async () => {
    expect(await screen('running', '')).toMatch(/^CON Welcome/)
    expect(await screen('running', '3')).toBe('CON Enter your full name\n0. Back')
    const oldRevision = switchboard.registry.get('wallet')?.revision

    await editFile('wallet.flow.yaml', 'prompt: Enter a 4-digit PIN', 'prompt: Choose a PIN')
    await editFile('wallet.flow.yaml', 'end: Registered', 'end: You are registered')
    await waitForLog('flow reloaded')
    expect(switchboard.registry.retiredRevisions()).toEqual([`wallet@${oldRevision}`])

    expect(await screen('running', '3*Amina')).toBe('CON Enter a 4-digit PIN\n0. Back')
    expect(await screen('running', '3*Amina*1234')).toBe('END Registered')

    expect(await screen('new', '')).toMatch(/^CON Welcome/)
    expect(await screen('new', '3')).toBe('CON Enter your full name\n0. Back')
    expect(await screen('new', '3*Amina')).toBe('CON Choose a PIN\n0. Back')
    expect(await screen('new', '3*Amina*1234')).toBe('END You are registered')
  })

  it('reloads an edited tasks module', async () => {
    expect(await screen('before', '1')).toBe('END Your balance is KES 100')

    await editFile(
      'wallet.tasks.ts',
      'balance: async ({ signal }) => walletBackend.balance(signal),',
      'balance: async () => 4321,',
    )
    await waitForLog('flow reloaded')

    expect(await screen('after', '1')).toBe('END Your balance is KES 4321')
  })

  it.each([
    {
      label: 'invalid YAML',
      from: 'prompt: Welcome\n',
      to: 'prompt: [Welcome\n',
      reason: 'is not valid YAML or JSON',
    },
    {
      label: 'unknown next state',
      from: 'next: load_balance',
      to: 'next: load_balanse',
      reason: 'load_balanse',
    },
    {
      label: 'screen over the limit',
      from: 'prompt: Welcome\n',
      to: `prompt: ${'Welcome to the wallet service. '.repeat(7)}\n`,
      reason: 'fails the flow check',
    },
  ])('broken edit keeps the old version: $label', async ({ from, to, reason }) => {
    const revision = switchboard.registry.get('wallet')?.revision

    await editFile('wallet.flow.yaml', from, to)
    const failure = await waitForLog('flow reload failed; the previous version keeps serving')

    expect(failure['level']).toBe(50)
    expect(failure['file']).toBe(join(directory, 'wallet.flow.yaml'))
    expect(failure['reason']).toContain(reason)
    expect(logged('flow reloaded')).toEqual([])
    expect(switchboard.registry.get('wallet')?.revision).toBe(revision)
    expect(await screen('after', '')).toMatch(/^CON Welcome\n1\. Check balance/)
  })

  it('reloads a fix after a failure', async () => {
    await editFile('wallet.flow.yaml', 'prompt: Welcome\n', 'prompt: [Welcome\n')
    await waitForLog('flow reload failed; the previous version keeps serving')

    await editFile('wallet.flow.yaml', 'prompt: [Welcome\n', 'prompt: Hello again\n')
    await waitForLog('flow reloaded')

    expect(await screen('after', '')).toMatch(/^CON Hello again\n/)
  })
})
