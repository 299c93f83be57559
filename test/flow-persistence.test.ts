import { Redis } from 'ioredis'
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { createMachine, transition } from 'xstate'
import { defineFlow } from '../src/engine/define-flow.ts'
import { hashInput } from '../src/engine/input-hash.ts'
import { checkMachine } from '../src/flows/check-machine.ts'
import { loadFlows } from '../src/flows/load-flows.ts'
import { transferBackend } from './fixtures/persistence/transfer-backend.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'

const flowsDir = 'test/fixtures/persistence'
const transferCode = { serviceCode: '*384*300#' }
const surveyCode = { serviceCode: '*384*301#' }
const redis = new Redis(inject('redisUrl'))

afterAll(() => redis.disconnect())
beforeEach(() => transferBackend.reset())

describe('nested flow through JSON round trips', () => {
  it('survives five persist and restore cycles', async () => {
    const { registry } = await loadFlows(flowsDir)
    const flow = registry.get('transfer')
    if (!flow) throw new Error('transfer flow did not load')

    const events = [
      { type: 'ANSWER', value: 'send' },
      { type: 'ANSWER', value: '+254700000002' },
      { type: 'ANSWER', value: 500 },
      { type: 'ANSWER', value: 'yes' },
      { type: 'TASK.DONE', output: undefined },
    ]
    let stored = JSON.stringify({ value: 'menu', context: { language: 'en', attempts: 0 } })
    for (const event of events) {
      const persisted = JSON.parse(stored) as { value: never; context: Record<string, unknown> }
      const snapshot = flow.machine.resolveState(persisted)
      const [next] = transition(flow.machine, snapshot, event)
      stored = JSON.stringify({ value: next.value, context: next.context })
    }

    const final = JSON.parse(stored) as { value: unknown; context: Record<string, unknown> }
    expect(final.value).toEqual({ send: { otp: 'entering' } })
    expect(final.context['amount']).toBe(500)
    expect(final.context['recipient']).toBe('+254700000002')
  })

  it.each(['memory', 'redis'] as const)(
    'walks the code check to one payment on %s',
    async (store) => {
      const switchboard = await createTestSwitchboard({ flowsDir, store })
      const steps = [
        '',
        '1',
        '1*0700000002',
        '1*0700000002*500',
        '1*0700000002*500*1',
        '1*0700000002*500*1*4321',
      ]
      const bodies: string[] = []
      for (const text of steps) {
        bodies.push(
          (await switchboard.hop({ ...transferCode, sessionId: 'ATUid_nested', text })).body,
        )
      }

      expect(bodies[4]).toBe('CON Enter the code we sent by SMS\n0. Back')
      expect(bodies[5]).toBe('END Sent. You will get an SMS.')
      expect(transferBackend.codesSent).toHaveLength(1)
      expect(transferBackend.payments).toEqual([
        expect.objectContaining({ to: '+254700000002', amount: 500 }),
      ])
      expect(switchboard.effects.sent.map((effect) => effect.text)).toEqual([
        'You sent KES 500 to +254700000002.',
      ])
      await switchboard.close()
    },
  )

  it('rejects a machine that invokes an actor', () => {
    const machine = createMachine({
      id: 'otp',
      initial: 'asking',
      states: { asking: { invoke: { src: 'sendCode' }, meta: { screen: { prompt: 'Code' } } } },
    })
    const flow = defineFlow({ id: 'otp', machine, source: 'otp.flow.ts' })
    expect(() => checkMachine(flow)).toThrow(
      'otp.flow.ts: state "asking" invokes an actor. Restored sessions re-run invoked actors, so make the call a task (meta.task) instead.',
    )
  })
})

describe('stored session from an older flow', () => {
  async function seed(keyPrefix: string, sessionId: string, record: Record<string, unknown>) {
    const full = {
      key: `africastalking:${sessionId}`,
      msisdn: '+254700000001',
      version: 3,
      status: 'active',
      history: [],
      pages: [0],
      shown: 1,
      lastInputLength: '1*0700000002*500'.length,
      lastInputHash: hashInput('1*0700000002*500'),
      lastReply: { end: false, text: 'old screen' },
      updatedAt: Date.now(),
      ...record,
    }
    await redis.set(
      `${keyPrefix}session:{africastalking:${sessionId}}`,
      `3|${JSON.stringify(full)}`,
      'EX',
      240,
    )
  }

  it('ends a session whose state was removed', async () => {
    const switchboard = await createTestSwitchboard({ flowsDir, store: 'redis' })
    await seed(switchboard.keyPrefix, 'ATUid_removed', {
      flowId: 'transfer',
      flowVersion: 2,
      flowRevision: 'old',
      value: 'legacyConfirm',
      context: { recipient: '+254700000002', amount: 500 },
    })

    const reply = await switchboard.hop({
      ...transferCode,
      sessionId: 'ATUid_removed',
      text: '1*0700000002*500*1',
    })

    expect(reply.status).toBe(200)
    expect(reply.body).toBe('END Sorry, this service was updated. Please dial *384*300# again.')
    expect(transferBackend.payments).toHaveLength(0)
    expect(switchboard.effects.sent.map((effect) => [effect.to, effect.text])).toEqual([
      ['+254700000001', 'Sorry, this service was updated. Please dial *384*300# again.'],
    ])
    expect(
      await redis.exists(`${switchboard.keyPrefix}session:{africastalking:ATUid_removed}`),
    ).toBe(0)
    const warning = switchboard.logs.lines.find(
      (line) => line['msg'] === 'stored session does not match the current flow, ending it',
    )
    expect(warning).toMatchObject({
      sessionId: 'ATUid_removed',
      storedVersion: 2,
      currentVersion: 2,
    })
    await switchboard.close()
  })

  it('migrates a version 1 session and continues', async () => {
    const switchboard = await createTestSwitchboard({ flowsDir, store: 'redis' })
    await seed(switchboard.keyPrefix, 'ATUid_migrated', {
      flowId: 'transfer',
      flowVersion: 1,
      flowRevision: 'old',
      value: 'legacyConfirm',
      context: { language: 'en', recipient: '+254700000002', amount: 500 },
    })

    const reply = await switchboard.hop({
      ...transferCode,
      sessionId: 'ATUid_migrated',
      text: '1*0700000002*500*1',
    })

    expect(reply.body).toBe('CON Enter the code we sent by SMS\n0. Back')
    expect(transferBackend.codesSent).toHaveLength(1)
    await switchboard.close()
  })

  it('ends an older version with no migration', async () => {
    const switchboard = await createTestSwitchboard({ flowsDir, store: 'redis' })
    await seed(switchboard.keyPrefix, 'ATUid_unmigrated', {
      flowId: 'survey',
      flowVersion: 1,
      flowRevision: 'old',
      value: 'water',
      context: { language: 'en' },
      lastInputLength: 0,
      lastInputHash: hashInput(''),
    })

    const reply = await switchboard.hop({ ...surveyCode, sessionId: 'ATUid_unmigrated', text: '1' })

    expect(reply.status).toBe(200)
    expect(reply.body).toBe('END Sorry, this service was updated. Please dial *384*301# again.')
    const warning = switchboard.logs.lines.find(
      (line) => line['msg'] === 'stored session does not match the current flow, ending it',
    )
    expect(warning).toMatchObject({
      sessionId: 'ATUid_unmigrated',
      storedVersion: 1,
      currentVersion: 2,
    })
    await switchboard.close()
  })
})
