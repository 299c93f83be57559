import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAfricasTalkingVoiceChannel } from '../src/channels/africastalking/voice-channel.ts'
import type { Effect, EffectSink } from '../src/engine/effects.ts'
import type { VoiceSessionRecord } from '../src/engine/voice-session.ts'
import { hotlineBackend } from './fixtures/flows/hotline.tasks.ts'
import { createTestSwitchboard } from './support/test-switchboard.ts'
import {
  actionNames,
  expectLiveVoiceReply,
  findAction,
  inputPrompt,
  nextCallbackPath,
  voiceClient,
  type CallResult,
  type XmlNode,
} from './support/voice-client.ts'
import { describeVoiceChannelContract } from './voice-channel-contract.ts'

/** Records every effect the engine dispatches, repeats included, so a test can count sends. */
class DispatchedEffects implements EffectSink {
  readonly all: Effect[] = []

  async dispatch(effects: readonly Effect[]): Promise<void> {
    this.all.push(...effects)
  }

  /** Lists what an outbox sends: the first effect of each idempotency key. */
  sent(): Effect[] {
    const first = new Map<string, Effect>()
    for (const effect of this.all) {
      if (!first.has(effect.idempotencyKey)) first.set(effect.idempotencyKey, effect)
    }
    return [...first.values()]
  }
}

const caller = '+254700000001'
const hotlineLine = '+254711000000'
const voicePath = '/africastalking/voice'

const mainMenu =
  'Welcome to the Jamii hotline. Press 1 for Check balance. Press 2 for Talk to an agent. ' +
  'Press 3 for Leave a message. Press 4 for Find a branch. Press 5 for Check an account. ' +
  'Press 6 for Report a problem. Press star to hear this again.'

function stepOf(response: XmlNode | null): string | null {
  const input = findAction(response, 'GetDigits') ?? findAction(response, 'Record')
  const url = input?.attributes['callbackUrl']
  return url === undefined ? null : new URL(url).searchParams.get('step')
}

describe.each(['memory', 'redis'] as const)('voice calls on the %s store', (store) => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let effects: DispatchedEffects
  let call: ReturnType<typeof voiceClient>

  beforeEach(async () => {
    hotlineBackend.balance = 250
    effects = new DispatchedEffects()
    switchboard = await createTestSwitchboard({ store, overrides: { effects } })
    call = voiceClient((path, init) => switchboard.app.request(path, init))
  })

  afterEach(async () => {
    await switchboard.close()
  })

  const session = (sessionId: string) =>
    switchboard.store.load(
      `africastalking-voice:${sessionId}`,
    ) as Promise<VoiceSessionRecord | null>

  /** Starts a call and returns its first reply. */
  const start = (sessionId: string, fields: Record<string, string> = {}) =>
    call({ sessionId, ...fields })

  /** Sends `fields` to the callback URL of the previous reply. */
  const answer = (
    sessionId: string,
    previous: CallResult,
    fields: Record<string, string | undefined>,
  ) => call({ sessionId, ...fields }, nextCallbackPath(previous.response))

  describe('first callback', () => {
    const variants: { label: string; fields: Record<string, string> }[] = [
      { label: 'without a call state', fields: {} },
      { label: 'while ringing', fields: { callSessionState: 'Ringing' } },
      {
        label: 'with newer fields',
        fields: {
          callSessionState: 'Answered',
          callerCountryCode: '254',
          callStartTime: '2024-05-01 10:00:00',
          callerCarrierName: 'Safaricom',
        },
      },
    ]

    it.each(variants)('reads the menu $label', async ({ fields }) => {
      const sessionId = `ATVId_first_${randomUUID()}`
      const response = expectLiveVoiceReply(await start(sessionId, fields))
      const menu = findAction(response, 'GetDigits')

      expect(actionNames(response)).toEqual(['GetDigits', 'Say', 'Redirect'])
      expect(menu?.attributes).toEqual({
        numDigits: '1',
        finishOnKey: '#',
        timeout: '15',
        callbackUrl: `http://localhost${voicePath}?step=1`,
      })
      expect(menu?.children.map((child) => child.name)).toEqual(['Say'])
      expect(inputPrompt(response)).toBe(mainMenu)
      expect(response.children[1]?.text).toBe('We did not get your choice.')
      expect(response.children[2]?.text).toBe(`http://localhost${voicePath}?step=1&timeout=1`)
    })

    it.each(variants)('repeats the same XML $label', async ({ fields }) => {
      const sessionId = `ATVId_repeat_${randomUUID()}`
      const first = await start(sessionId, fields)
      const second = await start(sessionId, fields)

      expect(second.body).toBe(first.body)
      expect((await session(sessionId))?.version).toBe(1)
      const started = switchboard.logs.lines.filter((line) => line['msg'] === 'call started')
      expect(started).toHaveLength(1)
    })
  })

  describe('key presses', () => {
    it('ends with SMS after silence', async () => {
      const sessionId = `ATVId_silent_${randomUUID()}`
      const first = await start(sessionId)

      const a = expectLiveVoiceReply(await answer(sessionId, first, { dtmfDigits: '' }))
      expect(actionNames(a)).toEqual(['Say', 'GetDigits', 'Say', 'Redirect'])
      expect(a.children[0]?.text).toBe('We did not get your choice.')
      expect(findAction(a, 'GetDigits')?.attributes['numDigits']).toBe('1')
      expect(inputPrompt(a)).toBe(mainMenu)
      expect(stepOf(a)).toBe('2')

      const b = expectLiveVoiceReply(
        await answer(sessionId, { ...first, response: a }, { dtmfDigits: '' }),
      )
      expect(b.children[0]?.text).toBe('We did not get your choice.')
      expect(inputPrompt(b)).toBe(mainMenu)
      expect(stepOf(b)).toBe('3')
      expect(effects.sent()).toEqual([])

      const c = expectLiveVoiceReply(
        await answer(sessionId, { ...first, response: b }, { dtmfDigits: '' }),
      )
      expect(actionNames(c)).toEqual(['Say'])
      expect(c.children[0]?.text).toBe('We will send you the options by SMS. Goodbye.')
      expect(effects.sent()).toHaveLength(1)
      expect(effects.sent()[0]).toMatchObject({ kind: 'sms', to: caller })
      expect(effects.sent()[0]?.text).toBe(
        'Welcome to the hotline\n1. Check balance\n2. Talk to an agent\n3. Leave a message\n' +
          `4. Find a branch\n5. Check an account\n6. Report a problem\nCall ${hotlineLine} again to choose.`,
      )
      const ended = await session(sessionId)
      expect(ended?.status).toBe('dropped')
      expect(ended?.voice.outcome).toBe('no-input')
    })

    const keyCases = [
      { label: 'a choice with the finish key', digits: '1#', said: 'Your balance is KES 250.' },
      { label: 'a plain choice', digits: '1', said: 'Your balance is KES 250.' },
      { label: 'a choice with spaces', digits: ' 2 ', said: 'An agent will call you back soon.' },
    ]

    it.each(keyCases)('accepts $label', async ({ digits, said }) => {
      const sessionId = `ATVId_keys_${randomUUID()}`
      const first = await start(sessionId)
      const response = expectLiveVoiceReply(await answer(sessionId, first, { dtmfDigits: digits }))

      expect(actionNames(response)).toEqual(['Say'])
      expect(response.children[0]?.text).toBe(said)
      expect((await session(sessionId))?.status).toBe('done')
    })

    const rePrompts = [
      {
        label: 'an empty entry',
        fields: { dtmfDigits: '' },
        notice: 'We did not get your choice.',
      },
      { label: 'no digits field', fields: {}, notice: 'We did not get your choice.' },
      {
        label: 'only the finish key',
        fields: { dtmfDigits: '#' },
        notice: 'We did not get your choice.',
      },
      { label: 'too many digits', fields: { dtmfDigits: '12' }, notice: 'Invalid choice.' },
      { label: 'an unknown option', fields: { dtmfDigits: '8' }, notice: 'Invalid choice.' },
      { label: 'back on the first menu', fields: { dtmfDigits: '0' }, notice: 'Invalid choice.' },
    ]

    it.each(rePrompts)('re-prompts after $label', async ({ fields, notice }) => {
      const sessionId = `ATVId_reprompt_${randomUUID()}`
      const first = await start(sessionId)
      const response = expectLiveVoiceReply(await answer(sessionId, first, fields))

      expect(actionNames(response)).toEqual(['Say', 'GetDigits', 'Say', 'Redirect'])
      expect(response.children[0]?.text).toBe(notice)
      expect(inputPrompt(response)).toBe(mainMenu)
      expect(findAction(response, 'GetDigits')?.attributes['numDigits']).toBe('1')
      expect(stepOf(response)).toBe('2')
    })

    it('repeats the menu on star without a retry', async () => {
      const sessionId = `ATVId_star_${randomUUID()}`
      const first = await start(sessionId)
      const silent = await answer(sessionId, first, { dtmfDigits: '' })

      const repeatedResult = await answer(sessionId, silent, { dtmfDigits: '*' })
      const repeated = expectLiveVoiceReply(repeatedResult)
      expect(actionNames(repeated)).toEqual(['GetDigits', 'Say', 'Redirect'])
      expect(inputPrompt(repeated)).toBe(mainMenu)
      expect(stepOf(repeated)).toBe('2')
      expect((await session(sessionId))?.voice.silentPrompts).toBe(1)

      const second = expectLiveVoiceReply(
        await answer(sessionId, repeatedResult, { dtmfDigits: '' }),
      )
      expect(second.children[0]?.text).toBe('We did not get your choice.')
      expect(actionNames(second)).toContain('GetDigits')
    })

    it('skips the notice after the fallback redirect', async () => {
      const sessionId = `ATVId_redirect_${randomUUID()}`
      const first = expectLiveVoiceReply(await start(sessionId))
      const redirect = new URL(first.children[2]?.text ?? '')

      const response = expectLiveVoiceReply(
        await call({ sessionId }, redirect.pathname + redirect.search),
      )
      expect(actionNames(response)).toEqual(['GetDigits', 'Say', 'Redirect'])
      expect(inputPrompt(response)).toBe(mainMenu)
      expect((await session(sessionId))?.voice.silentPrompts).toBe(1)
    })

    it('ends after four invalid answers in a row', async () => {
      const sessionId = `ATVId_invalid_${randomUUID()}`
      let reply = await start(sessionId)
      for (let count = 1; count <= 3; count += 1) {
        reply = await answer(sessionId, reply, { dtmfDigits: '7' })
        expect(reply.response?.children[0]?.text).toBe('Invalid choice.')
      }

      const last = expectLiveVoiceReply(await answer(sessionId, reply, { dtmfDigits: '7' }))
      expect(actionNames(last)).toEqual(['Say'])
      expect(effects.sent()).toHaveLength(1)
      expect((await session(sessionId))?.voice.outcome).toBe('no-input')
    })
  })

  describe('retries', () => {
    it('replays the stored XML for an old step', async () => {
      const sessionId = `ATVId_retry_${randomUUID()}`
      const first = await start(sessionId)
      const path = nextCallbackPath(first.response)

      const reply = await call({ sessionId, dtmfDigits: '2' }, path)
      const retried = await call({ sessionId, dtmfDigits: '2' }, path)
      const different = await call({ sessionId, dtmfDigits: '1' }, path)

      expect(retried.body).toBe(reply.body)
      expect(different.body).toBe(reply.body)
      expect((await session(sessionId))?.version).toBe(2)
      expect(effects.sent().map((effect) => effect.text)).toEqual([
        `Agent callback requested for ${caller}. We will call you within one hour.`,
      ])
    })

    it('replays a re-prompt without counting it twice', async () => {
      const sessionId = `ATVId_retry_silent_${randomUUID()}`
      const first = await start(sessionId)
      const path = nextCallbackPath(first.response)

      const reply = await call({ sessionId, dtmfDigits: '' }, path)
      const retried = await call({ sessionId, dtmfDigits: '' }, path)

      expect(retried.body).toBe(reply.body)
      expect((await session(sessionId))?.voice.silentPrompts).toBe(1)
    })

    it('keeps a call to the number that started it', async () => {
      const sessionId = `ATVId_owner_${randomUUID()}`
      const first = await start(sessionId)

      const other = await answer(sessionId, first, {
        dtmfDigits: '1',
        callerNumber: '+254700000003',
      })
      const response = expectLiveVoiceReply(other)
      expect(actionNames(response)).toEqual(['Say'])
      expect(response.children[0]?.text).toBe(
        'Sorry, this call is not available. Please call again.',
      )
      expect((await session(sessionId))?.version).toBe(1)
    })
  })

  describe('final notification', () => {
    const finalFields = {
      isActive: '0',
      status: 'Success',
      hangupCause: 'NORMAL_CLEARING',
      durationInSeconds: '35',
      amount: '1.25',
      currencyCode: 'KES',
    }

    it('texts once for an unanswered outbound call', async () => {
      const sessionId = `ATVId_missed_${randomUUID()}`
      const notification = {
        sessionId,
        isActive: '0',
        direction: 'Outbound',
        status: 'NotAnswered',
        hangupCause: 'SUBSCRIBER_ABSENT',
        durationInSeconds: '0',
        amount: '0',
        currencyCode: 'KES',
      }

      const first = await call(notification)
      const repeated = await call(notification)

      for (const result of [first, repeated]) {
        expect(result.status).toBe(200)
        expect(result.xmlError).toBeNull()
        expect(actionNames(result.response)).toEqual([])
      }
      expect(effects.sent()).toHaveLength(1)
      expect(effects.sent()[0]).toMatchObject({ kind: 'sms', to: caller })
      expect(effects.sent()[0]?.text).toBe(
        `We tried to call you from ${hotlineLine}. Please call us back when you are free.`,
      )
      // The repeat dispatches the saved effect again under the same key, which the outbox drops.
      expect(effects.all).toHaveLength(2)
      expect(effects.all[1]).toEqual(effects.all[0])
      const closed = await session(sessionId)
      expect(closed?.status).toBe('failed')
      expect(closed?.voice.outcome).toBe('not-answered')
      expect(closed?.voice.ended).toMatchObject({ status: 'NotAnswered', durationSeconds: 0 })
    })

    it('ignores an unanswered call on another line', async () => {
      const notification = {
        sessionId: `ATVId_forged_${randomUUID()}`,
        isActive: '0',
        direction: 'Outbound',
        status: 'NotAnswered',
        destinationNumber: '+254711999999',
        durationInSeconds: '0',
      }

      const result = await call(notification)

      expect(result.status).toBe(200)
      expect(actionNames(result.response)).toEqual([])
      expect(effects.sent()).toEqual([])
    })

    it('keeps the agent request after a hang-up', async () => {
      const sessionId = `ATVId_agent_${randomUUID()}`
      const first = await start(sessionId)
      const chosen = expectLiveVoiceReply(await answer(sessionId, first, { dtmfDigits: '2' }))
      expect(chosen.children[0]?.text).toBe('An agent will call you back soon.')

      const final = await call({ sessionId, ...finalFields })
      expect(final.status).toBe(200)
      expect(actionNames(final.response)).toEqual([])
      expect(final.body).not.toContain('GetDigits')

      expect(effects.sent().map((effect) => effect.text)).toEqual([
        `Agent callback requested for ${caller}. We will call you within one hour.`,
      ])
      const closed = await session(sessionId)
      expect(closed?.status).toBe('done')
      expect(closed?.voice.outcome).toBe('completed')
      expect(closed?.voice.ended).toMatchObject({
        status: 'Success',
        durationSeconds: 35,
        amount: 1.25,
        currencyCode: 'KES',
      })
      const ended = switchboard.logs.lines.find((line) => line['msg'] === 'call ended')
      expect(ended).toMatchObject({ durationSeconds: 35, amount: 1.25, currencyCode: 'KES' })
    })

    it('closes a call hung up on a menu', async () => {
      const sessionId = `ATVId_hangup_${randomUUID()}`
      const first = await start(sessionId)

      const final = await call(
        { sessionId, ...finalFields, dtmfDigits: '1' },
        nextCallbackPath(first.response),
      )
      const repeated = await call({ sessionId, ...finalFields })

      expect(actionNames(final.response)).toEqual([])
      expect(actionNames(repeated.response)).toEqual([])
      const closed = await session(sessionId)
      expect(closed?.status).toBe('dropped')
      expect(closed?.voice.outcome).toBe('hung-up')
      expect(closed?.version).toBe(2)
      expect(effects.sent()).toEqual([])
    })

    it('ignores an end from another number', async () => {
      const sessionId = `ATVId_other_end_${randomUUID()}`
      await start(sessionId)

      const final = await call({ sessionId, ...finalFields, callerNumber: '+254700000003' })
      expect(final.status).toBe(200)
      expect(actionNames(final.response)).toEqual([])
      const stored = await session(sessionId)
      expect(stored?.status).toBe('active')
      expect(stored?.voice.ended).toBeUndefined()
    })

    it('returns the stored XML after the call closed', async () => {
      const sessionId = `ATVId_late_${randomUUID()}`
      const first = await start(sessionId)
      await call({ sessionId, ...finalFields })

      const late = await answer(sessionId, first, { dtmfDigits: '1' })
      expect(late.body).toBe(first.body)
      expect((await session(sessionId))?.status).toBe('dropped')
    })
  })
})

describe('voice screens', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let effects: DispatchedEffects
  let call: ReturnType<typeof voiceClient>

  beforeEach(async () => {
    effects = new DispatchedEffects()
    switchboard = await createTestSwitchboard({ overrides: { effects } })
    call = voiceClient((path, init) => switchboard.app.request(path, init))
  })

  afterEach(async () => {
    await switchboard.close()
  })

  const session = (sessionId: string) =>
    switchboard.store.load(
      `africastalking-voice:${sessionId}`,
    ) as Promise<VoiceSessionRecord | null>

  /** Starts a call and presses each key in turn, returning every reply. */
  async function walkCall(sessionId: string, presses: readonly string[]) {
    const replies = [await call({ sessionId })]
    for (const digits of presses) {
      const previous = replies.at(-1) as CallResult
      replies.push(
        await call({ sessionId, dtmfDigits: digits }, nextCallbackPath(previous.response)),
      )
    }
    for (const reply of replies) expectLiveVoiceReply(reply)
    return replies
  }

  it('reads a long list in pages', async () => {
    const [, first, second, chosen] = await walkCall(`ATVId_pages_${randomUUID()}`, ['4', '9', '3'])

    expect(inputPrompt(first!.response)).toBe(
      'Choose a branch: Press 1 for Nairobi CBD. Press 2 for Westlands. Press 3 for Kibera. ' +
        'Press 4 for Mathare. Press 5 for Eastleigh. Press 6 for Kasarani. Press 7 for Embakasi. ' +
        'Press 8 for Karen. Press 9 for more options. Press 0 to go back. ' +
        'Press star to hear this again.',
    )
    expect(inputPrompt(second!.response)).toBe(
      'Choose a branch: Press 1 for Thika. Press 2 for Machakos. ' +
        'Press 3 for Nakuru & Naivasha. Press 0 to go back. Press star to hear this again.',
    )
    expect(chosen!.body).toContain('Nakuru &amp; Naivasha is open from 8 to 5.')
    expect(chosen!.response?.children[0]?.text).toBe('Nakuru & Naivasha is open from 8 to 5.')
  })

  it('goes back a page, then to the menu', async () => {
    const replies = await walkCall(`ATVId_back_${randomUUID()}`, ['4', '9', '0', '0'])

    expect(inputPrompt(replies[3]!.response)).toContain('Press 1 for Nairobi CBD.')
    expect(inputPrompt(replies[4]!.response)).toBe(mainMenu)
  })

  it('takes typed digits up to the hash key', async () => {
    const [, prompt, rejected, accepted] = await walkCall(`ATVId_typed_${randomUUID()}`, [
      '5',
      '12#',
      '12345#',
    ])

    const input = findAction(prompt!.response, 'GetDigits')
    expect(input?.attributes).toEqual({
      finishOnKey: '#',
      timeout: '15',
      callbackUrl: `http://localhost${voicePath}?step=2`,
    })
    expect(inputPrompt(prompt!.response)).toBe(
      'Enter your account number. Then press the hash key.',
    )
    expect(rejected!.response?.children[0]?.text).toBe('Invalid account number.')
    expect(actionNames(rejected!.response)).toEqual(['Say', 'GetDigits', 'Say', 'Redirect'])
    expect(accepted!.response?.children[0]?.text).toBe('Account 12345 is active.')
  })

  it('records a free-text answer', async () => {
    const sessionId = `ATVId_record_${randomUUID()}`
    const [, prompt] = await walkCall(sessionId, ['3'])
    const record = findAction(prompt!.response, 'Record')

    expect(actionNames(prompt!.response)).toEqual(['Record', 'Say', 'Redirect'])
    expect(record?.attributes).toEqual({
      finishOnKey: '#',
      maxLength: '60',
      trimSilence: 'true',
      playBeep: 'true',
      callbackUrl: `http://localhost${voicePath}?step=2`,
    })
    expect(inputPrompt(prompt!.response)).toBe(
      'Leave your message. Speak after the beep, then press the hash key.',
    )

    const path = nextCallbackPath(prompt!.response)
    const empty = expectLiveVoiceReply(await call({ sessionId, recordingUrl: '' }, path))
    expect(empty.children[0]?.text).toBe('We did not get your answer.')
    expect(actionNames(empty)).toEqual(['Say', 'Record', 'Say', 'Redirect'])

    const recordingUrl = 'https://voice.example.org/recordings/abc.mp3'
    const saved = await call({ sessionId, recordingUrl }, nextCallbackPath(empty))
    expect(expectLiveVoiceReply(saved).children[0]?.text).toBe('Thank you. We got your message.')
    expect((await session(sessionId))?.context['message']).toBe(recordingUrl)
  })

  it('hands a text question over to SMS', async () => {
    const sessionId = `ATVId_handoff_${randomUUID()}`
    const [, handoff] = await walkCall(sessionId, ['6'])

    expect(actionNames(handoff!.response)).toEqual(['Say'])
    expect(handoff!.response?.children[0]?.text).toBe(
      'We will send you an SMS to ask for the details. Goodbye.',
    )
    expect(effects.sent()).toHaveLength(1)
    expect(effects.sent()[0]).toMatchObject({
      kind: 'sms',
      to: caller,
      text: 'Describe the problem:',
    })
    const stored = await session(sessionId)
    expect(stored?.context['handoff']).toBe('sms')
    expect(stored?.value).toBe('problem')
    expect(stored?.status).toBe('done')
    expect(stored?.voice.outcome).toBe('sms-handoff')
  })

  it('speaks the saved language', async () => {
    await switchboard.store.saveContact({ msisdn: caller, language: 'sw', updatedAt: 0 })
    const [menu, account] = await walkCall(`ATVId_sw_${randomUUID()}`, ['5'])

    expect(inputPrompt(menu!.response)).toBe(
      'Karibu kwenye huduma ya Jamii. Bonyeza 1 kwa Angalia salio. Bonyeza 2 kwa Ongea na wakala. ' +
        'Bonyeza 3 kwa Acha ujumbe. Bonyeza 4 kwa Tafuta tawi. Bonyeza 5 kwa Angalia akaunti. ' +
        'Bonyeza 6 kwa Ripoti tatizo. Bonyeza nyota kusikia tena.',
    )
    expect(menu!.response?.children[1]?.text).toBe('Hatukupata chaguo lako.')

    const input = findAction(account!.response, 'GetDigits')
    expect(input?.children.map((child) => child.name)).toEqual(['Play'])
    expect(input?.children[0]?.attributes['url']).toBe(
      'https://audio.example.org/account-sw.mp3?v=2&voice=female',
    )
    expect(account!.body).toContain('account-sw.mp3?v=2&amp;voice=female')
  })

  it('keeps a typed PIN out of the store', async () => {
    const sessionId = `ATVId_pin_${randomUUID()}`
    const login = expectLiveVoiceReply(
      await call({ sessionId, destinationNumber: '+254711000200' }),
    )
    expect(inputPrompt(login)).toBe('Enter PIN. Then press the hash key.')

    const menu = await call(
      { sessionId, destinationNumber: '+254711000200', dtmfDigits: '1234#' },
      nextCallbackPath(login),
    )
    expect(inputPrompt(expectLiveVoiceReply(menu))).toBe(
      'Main. Press 1 for Deposit. Press 2 for Withdraw. Press star to hear this again.',
    )
    const stored = await session(sessionId)
    expect(stored?.value).toBe('main')
    expect(stored?.context).not.toHaveProperty('login')
    expect(JSON.stringify(stored)).not.toContain('1234')
    expect(switchboard.logs.text()).not.toContain('1234')
  })

  it('apologises on a number without a flow', async () => {
    const sessionId = `ATVId_unknown_${randomUUID()}`
    const result = await call({ sessionId, destinationNumber: '+254711999999' })
    const response = expectLiveVoiceReply(result)

    expect(actionNames(response)).toEqual(['Say'])
    expect(response.children[0]?.text).toBe('Sorry, this number is not in service. Goodbye.')
    expect(await session(sessionId)).toBeNull()
  })

  it('ends a callback for a call it does not know', async () => {
    const result = await call(
      { sessionId: `ATVId_lost_${randomUUID()}`, dtmfDigits: '1' },
      `${voicePath}?step=4`,
    )
    const response = expectLiveVoiceReply(result)

    expect(actionNames(response)).toEqual(['Say'])
    expect(response.children[0]?.text).toBe(
      'Sorry, this call could not continue. Please call again.',
    )
  })

  it('uses the public base URL in callbacks', async () => {
    const configured = await createTestSwitchboard({
      environment: { PUBLIC_BASE_URL: 'https://switchboard.example.org/' },
    })
    const result = await voiceClient((path, init) => configured.app.request(path, init))({
      sessionId: `ATVId_base_${randomUUID()}`,
    })
    await configured.close()

    const response = expectLiveVoiceReply(result)
    expect(findAction(response, 'GetDigits')?.attributes['callbackUrl']).toBe(
      'https://switchboard.example.org/africastalking/voice?step=1',
    )
    expect(findAction(response, 'Redirect')?.text).toBe(
      'https://switchboard.example.org/africastalking/voice?step=1&timeout=1',
    )
  })
})

describe('voice route', () => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>

  beforeEach(async () => {
    switchboard = await createTestSwitchboard()
  })

  afterEach(async () => {
    await switchboard.close()
  })

  const post = (body: string, headers: Record<string, string>, path = voicePath) =>
    switchboard.app.request(path, { method: 'POST', body, headers })
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const valid =
    'sessionId=ATVId_route&isActive=1&callerNumber=%2B254700000001&destinationNumber=%2B254711000000'

  const rejected = [
    {
      label: 'a GET',
      status: 405,
      request: () => switchboard.app.request(voicePath),
      says: 'Use POST',
    },
    {
      label: 'a JSON body',
      status: 415,
      request: () => post('{}', { 'content-type': 'application/json' }),
      says: 'application/x-www-form-urlencoded',
    },
    {
      label: 'an oversized body',
      status: 413,
      request: () => post(`${valid}&x=${'a'.repeat(9000)}`, form),
      says: 'voice callback',
    },
    {
      label: 'a repeated field',
      status: 400,
      request: () => post(`${valid}&sessionId=ATVId_other`, form),
      says: 'sessionId',
    },
    {
      label: 'no session id',
      status: 400,
      request: () =>
        post('isActive=1&callerNumber=%2B254700000001&destinationNumber=%2B254711000000', form),
      says: 'sessionId',
    },
    {
      label: 'no caller number',
      status: 400,
      request: () =>
        post('sessionId=ATVId_route&isActive=1&destinationNumber=%2B254711000000', form),
      says: 'callerNumber',
    },
    {
      label: 'a caller that is not a number',
      status: 400,
      request: () => post(valid.replace('%2B254700000001', 'anonymous'), form),
      says: 'callerNumber',
    },
    {
      label: 'an unknown isActive',
      status: 400,
      request: () => post(valid.replace('isActive=1', 'isActive=2'), form),
      says: 'isActive',
    },
    {
      label: 'a bad step',
      status: 400,
      request: () => post(valid, form, `${voicePath}?step=abc`),
      says: 'step',
    },
  ]

  it.each(rejected)('rejects $label', async ({ status, request, says }) => {
    const response = await request()

    expect(response.status).toBe(status)
    expect(await response.text()).toContain(says)
  })

  it('reads a caller number whose plus became a space', async () => {
    const response = await post(valid.replace('%2B254700000001', '+254700000001'), form)

    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<GetDigits')
  })

  it('masks numbers and keys in the request log', async () => {
    await post(`${valid}&dtmfDigits=1234`, form)
    const logged = switchboard.logs.lines.find((line) => line['msg'] === 'request')

    expect(logged?.['body']).toMatchObject({
      callerNumber: '+254*****001',
      dtmfDigits: '[4 characters hidden]',
    })
    expect(switchboard.logs.text()).not.toContain('254700000001')
  })
})

describeVoiceChannelContract(createAfricasTalkingVoiceChannel({ defaultCountryCode: '254' }), {
  valid: {
    sessionId: 'ATVId_contract_1',
    isActive: '1',
    direction: 'Inbound',
    callerNumber: '0700000001',
    destinationNumber: '+254 711 000 000',
  },
  msisdn: caller,
  line: hotlineLine,
  names: { sessionId: 'sessionId', caller: 'callerNumber', line: 'destinationNumber' },
})
