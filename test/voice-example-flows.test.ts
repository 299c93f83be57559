import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clinicData } from '../machines/example-data/clinic-data.ts'
import { loansData } from '../machines/example-data/loans-data.ts'
import type { Effect, EffectSink } from '../src/engine/effects.ts'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'
import {
  actionNames,
  expectLiveVoiceReply,
  findAction,
  inputPrompt,
  nextCallbackPath,
  voiceClient,
  type CallResult,
} from './support/voice-client.ts'

// Monday 3 March 2025, 10:00 in Nairobi: the next opening days are Tue 4 to Sat 8 March.
const monday = new Date('2025-03-03T07:00:00Z')
const clinicLine = '+254711000123'
const loansLine = '+254711000456'

/** Records every effect the engine dispatches, repeats included. */
class DispatchedEffects implements EffectSink {
  readonly all: Effect[] = []

  async dispatch(effects: readonly Effect[]): Promise<void> {
    this.all.push(...effects)
  }
}

describe.each(['memory', 'redis'] as const)('example flows by voice on the %s store', (store) => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let server: Awaited<ReturnType<typeof listen>>
  let effects: DispatchedEffects
  let post: ReturnType<typeof voiceClient>

  beforeEach(async () => {
    clinicData.reset({ now: () => monday })
    loansData.reset({ now: () => monday })
    effects = new DispatchedEffects()
    switchboard = await createTestSwitchboard({
      flowsDir: 'machines',
      store,
      overrides: { effects },
    })
    server = await listen(switchboard.app.fetch)
    post = voiceClient((path, init) => fetch(server.baseUrl + path, init))
  })

  afterEach(async () => {
    await server.close()
    await switchboard.close()
  })

  /**
   * Drives one call over the socket the way Africa's Talking does: each key press goes to the
   * callback URL of the previous reply, and every reply must be a live voice document.
   */
  function voiceCall(sessionId: string, line: string, callerNumber: string) {
    const fields = { sessionId, destinationNumber: line, callerNumber }
    let last: CallResult | undefined

    const check = (result: CallResult) => {
      expectLiveVoiceReply(result)
      last = result
      return result
    }
    return {
      start: async () => check(await post(fields)),
      press: async (dtmfDigits: string) =>
        check(await post({ ...fields, dtmfDigits }, nextCallbackPath(last?.response ?? null))),
      record: async (recordingUrl: string) =>
        check(await post({ ...fields, recordingUrl }, nextCallbackPath(last?.response ?? null))),
      hangUp: () => post({ ...fields, isActive: '0', status: 'Success', durationInSeconds: '90' }),
    }
  }

  it('books a clinic visit in Swahili', async () => {
    const caller = '+254700000001'
    const call = voiceCall('ATVId_clinic_sw', clinicLine, caller)

    const language = await call.start()
    expect(inputPrompt(language.response)).toBe(
      'Choose language / Chagua lugha. Press 1 for English. Press 2 for Kiswahili. ' +
        'Press star to hear this again.',
    )

    const menu = await call.press('2')
    expect(inputPrompt(menu.response)).toBe(
      'Miadi ya kliniki. Bonyeza 1 kwa Weka miadi. Bonyeza 2 kwa Uliza muuguzi. ' +
        'Bonyeza 3 kwa Badilisha lugha. Bonyeza nyota kusikia tena.',
    )

    const firstPage = await call.press('1')
    expect(inputPrompt(firstPage.response)).toMatch(
      /^Chagua kliniki: Bonyeza 1 kwa Kibera South Health Centre\. .* Bonyeza 8 kwa Embakasi Health Centre\. Bonyeza 9 kwa chaguo zaidi\. Bonyeza 0 kurudi nyuma\. Bonyeza nyota kusikia tena\.$/,
    )
    const secondPage = await call.press('9')
    expect(inputPrompt(secondPage.response)).toContain('Bonyeza 1 kwa Githurai Health Centre.')

    const days = await call.press('1')
    expect(inputPrompt(days.response)).toMatch(/^Chagua siku: Bonyeza 1 kwa /)
    const slots = await call.press('1')
    expect(inputPrompt(slots.response)).toMatch(/^Chagua muda: Bonyeza 1 kwa /)
    const confirm = await call.press('1')
    expect(inputPrompt(confirm.response)).toMatch(/^Weka miadi Githurai Health Centre, /)

    const booked = await call.press('1')
    expect(actionNames(booked.response)).toEqual(['Say'])
    expect(booked.response?.children[0]?.text).toMatch(/^Miadi imewekwa: Githurai Health Centre/)
    expect(clinicData.appointments).toHaveLength(1)
    expect(clinicData.appointments[0]).toMatchObject({
      msisdn: caller,
      clinicId: 'C09',
      date: '2025-03-04',
      time: '08:00',
    })
    expect(effects.all).toHaveLength(1)
    expect(effects.all[0]?.text).toMatch(/^Miadi yako imewekwa Githurai Health Centre/)

    const final = await call.hangUp()
    expect(final.status).toBe(200)
    expect(actionNames(final.response)).toEqual([])
    expect((await switchboard.store.loadContact(caller))?.language).toBe('sw')

    const again = await voiceCall('ATVId_clinic_sw_again', clinicLine, caller).start()
    expect(inputPrompt(again.response)).toMatch(/^Miadi ya kliniki\. Bonyeza 1 kwa Miadi yangu\./)
  })

  it('records a question for the nurse', async () => {
    const caller = '+254700000002'
    const call = voiceCall('ATVId_clinic_nurse', clinicLine, caller)
    await call.start()
    await call.press('1')

    const age = await call.press('2')
    expect(findAction(age.response, 'GetDigits')?.attributes['numDigits']).toBeUndefined()
    expect(inputPrompt(age.response)).toBe(
      "Patient's age in years (baby under 1: enter 1): Then press the hash key.",
    )

    const question = await call.press('34#')
    expect(actionNames(question.response)).toEqual(['Record', 'Say', 'Redirect'])
    expect(inputPrompt(question.response)).toBe(
      'Say your question for the nurse. Speak after the beep, then press the hash key.',
    )

    const recordingUrl = 'https://voice.example.org/recordings/nurse-1.mp3'
    const sent = await call.record(recordingUrl)
    expect(sent.response?.children[0]?.text).toBe(
      'Thank you. A nurse will reply by SMS within 24 hours. Ref NQ1001.',
    )
    expect(clinicData.questions).toEqual([
      expect.objectContaining({ msisdn: caller, age: 34, question: recordingUrl }),
    ])
  })

  it('hands a payment problem over to SMS', async () => {
    const caller = '+254700000003'
    const call = voiceCall('ATVId_loans_report', loansLine, caller)
    await call.start()

    const menu = await call.press('1')
    expect(inputPrompt(menu.response)).toBe(
      'Your loan. Press 1 for Check balance. Press 2 for Repay loan. Press 3 for My payments. ' +
        'Press 4 for Report a payment problem. Press 5 for Change language. ' +
        'Press star to hear this again.',
    )

    const handoff = await call.press('4')
    expect(actionNames(handoff.response)).toEqual(['Say'])
    expect(handoff.response?.children[0]?.text).toBe(
      'We will send you an SMS to ask for the details. Goodbye.',
    )
    expect(effects.all).toEqual([
      expect.objectContaining({
        to: caller,
        text: 'Enter the M-Pesa code of the payment (10 letters and digits):',
      }),
    ])
  })

  it('repays a loan with typed digits', async () => {
    const caller = '+254700000003'
    await switchboard.store.saveContact({ msisdn: caller, language: 'en', updatedAt: 0 })
    const call = voiceCall('ATVId_loans_repay', loansLine, caller)
    await call.start()

    const amount = await call.press('2')
    expect(inputPrompt(amount.response)).toBe(
      'Enter amount to repay (KES): Then press the hash key.',
    )
    const tooMuch = await call.press('90000#')
    expect(tooMuch.response?.children[0]?.text).toBe('Enter an amount from 10 to 70000.')

    const confirm = await call.press('1500#')
    expect(inputPrompt(confirm.response)).toBe(
      `Repay KES 1500 from M-Pesa ${caller}? Press 1 for Confirm. Press 0 to go back. ` +
        'Press star to hear this again.',
    )
    const repaid = await call.press('1')
    expect(repaid.response?.children[0]?.text).toMatch(/^Thank you\. KES 1500 received\./)
    expect(loansData.repayments).toHaveLength(1)
    expect(effects.all).toHaveLength(1)
  })
})
