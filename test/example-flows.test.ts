import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { clinicData } from '../machines/example-data/clinic-data.ts'
import { loansData } from '../machines/example-data/loans-data.ts'
import { checkFlow } from '../src/flows/check-flows.ts'
import { loadFlows } from '../src/flows/load-flows.ts'
import { findNonGsm7Characters } from '../src/text/gsm7.ts'
import { createTestSwitchboard, listen } from './support/test-switchboard.ts'

// Monday 3 March 2025, 10:00 in Nairobi: the next opening days are Tue 4 to Sat 8 March.
const monday = new Date('2025-03-03T07:00:00Z')
const clinicCode = '*384*123#'
const loansCode = '*384*456#'
const caller = '+254700000001'
const screenLimit = 182

type Hop = Awaited<ReturnType<typeof listen>>['hop']

/**
 * Drives one USSD session as the gateway does: each `send` appends an input to the cumulative
 * `text` and checks that the reply is a well-formed screen that fits the limit.
 */
function ussdSession(hop: Hop, sessionId: string, serviceCode: string, phoneNumber = caller) {
  const inputs: string[] = []
  const post = async () => {
    const reply = await hop({ sessionId, serviceCode, phoneNumber, text: inputs.join('*') })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatch(/^(CON|END) \S/)
    expect(reply.body.length - 4).toBeLessThanOrEqual(screenLimit)
    return reply.body
  }

  return {
    start: () => post(),
    send: (input: string) => {
      inputs.push(input)
      return post()
    },
    /** Sends the last callback again, as a gateway does when our reply was slow or lost. */
    resend: () => post(),
  }
}

/** Collects every string value of a parsed flow file except regular expressions (`pattern:`). */
function textValues(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(textValues)
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value)
    .filter(([key]) => key !== 'pattern')
    .flatMap(([, child]) => textValues(child))
}

const languageScreen = 'CON Choose language / Chagua lugha\n1. English\n2. Kiswahili'

const clinicMenu = {
  en: 'CON Clinic appointments\n1. Book an appointment\n2. Ask a nurse\n3. Change language',
  sw: 'CON Miadi ya kliniki\n1. Weka miadi\n2. Uliza muuguzi\n3. Badilisha lugha',
}

const clinicPages = {
  first: [
    'CON Choose a clinic:',
    '1. Kibera South Health Centre',
    '2. Kangemi Health Centre',
    '3. Kawangware Health Centre',
    '4. Riruta Health Centre',
    '5. Mathare North Health Centre',
    '98. More',
    '0. Back',
  ].join('\n'),
  second: [
    'CON Choose a clinic:',
    '6. Dandora II Health Centre',
    '7. Kayole II Health Centre',
    '8. Embakasi Health Centre',
    '9. Githurai Health Centre',
    '10. Kariobangi North Clinic',
    '98. More',
    '0. Back',
  ].join('\n'),
  third: [
    'CON Choose a clinic:',
    '11. Lunga Lunga Health Centre',
    '12. Makadara Health Centre',
    '13. Ngara Health Centre',
    '14. Pumwani Maternity Clinic',
    '15. Baba Dogo Health Centre',
    '98. More',
    '0. Back',
  ].join('\n'),
}

const loansMenu =
  'CON Your loan\n1. Check balance\n2. Repay loan\n3. My payments\n4. Report a payment problem\n5. Change language'

describe('example flow files', () => {
  it.each(['clinic.flow.yaml', 'loans.flow.yaml'])('%s texts use only GSM-7', async (name) => {
    const document: unknown = parseYaml(await readFile(`machines/${name}`, 'utf8'))
    const texts = textValues(document).map((text) => text.replace(/\{\{[^}]*\}\}/g, ''))

    expect(texts.length).toBeGreaterThan(50)
    expect(texts.flatMap((text) => findNonGsm7Characters(text))).toEqual([])
  })

  it('pass the flow check', async () => {
    const { registry, routes } = await loadFlows('machines')
    const settings = { screenLimit, defaultCountryCode: '254' }

    expect(registry.all().map((flow) => flow.id)).toEqual(['clinic-reminder', 'clinic', 'loans'])
    expect(registry.all().flatMap((flow) => checkFlow(flow, settings))).toEqual([])
    expect(routes.ussd).toEqual({ [clinicCode]: 'clinic', [loansCode]: 'loans' })
    expect(routes.voice).toEqual({ '+254711000123': 'clinic', '+254711000456': 'loans' })
    expect(routes.sms['40123']?.keywords).toEqual({ BOOK: 'clinic', BALANCE: 'loans' })
  })
})

describe.each(['memory', 'redis'] as const)('example flows on the %s store', (store) => {
  let switchboard: Awaited<ReturnType<typeof createTestSwitchboard>>
  let server: Awaited<ReturnType<typeof listen>>

  beforeEach(async () => {
    clinicData.reset({ now: () => monday })
    loansData.reset({ now: () => monday })
    switchboard = await createTestSwitchboard({ flowsDir: 'machines', store })
    server = await listen(switchboard.app.fetch)
  })

  afterEach(async () => {
    await server.close()
    await switchboard.close()
  })

  describe('clinic', () => {
    it('books an appointment in English', async () => {
      const session = ussdSession(server.hop, 'ATUid_clinic_en', clinicCode)

      expect(await session.start()).toBe(languageScreen)
      expect(await session.send('1')).toBe(clinicMenu.en)
      expect(await session.send('1')).toBe(clinicPages.first)
      expect(await session.send('98')).toBe(clinicPages.second)
      expect(await session.send('98')).toBe(clinicPages.third)
      expect(await session.send('0')).toBe(clinicPages.second)

      // Option 7 is shown on the second page, so the booking must be for Kayole II Health Centre.
      expect(await session.send('7')).toBe(
        'CON Choose a day:\n1. Tue 4 Mar\n2. Wed 5 Mar\n3. Thu 6 Mar\n4. Fri 7 Mar\n5. Sat 8 Mar\n0. Back',
      )
      expect(await session.send('2')).toBe(
        'CON Choose a time:\n1. 08:00\n2. 09:00\n3. 10:00\n4. 11:00\n5. 14:00\n6. 15:00\n0. Back',
      )
      expect(await session.send('2')).toBe(
        'CON Book Kayole II Health Centre on Wed 5 Mar at 09:00?\n1. Confirm\n0. Back',
      )
      expect(await session.send('1')).toBe(
        'END Booked: Kayole II Health Centre, Wed 5 Mar at 09:00. Ref AP1001. You will get an SMS.',
      )

      expect(clinicData.appointments).toHaveLength(1)
      expect(clinicData.appointments[0]).toMatchObject({
        reference: 'AP1001',
        msisdn: caller,
        clinicId: 'C07',
        date: '2025-03-05',
        time: '09:00',
        status: 'booked',
      })
      expect(switchboard.effects.sent).toHaveLength(1)
      expect(switchboard.effects.sent[0]).toMatchObject({
        kind: 'sms',
        to: caller,
        text: 'Appointment booked at Kayole II Health Centre on Wed 5 Mar at 09:00. Ref AP1001. Dial *384*123# to confirm or cancel.',
      })
    })

    it('books an appointment in Swahili', async () => {
      const session = ussdSession(server.hop, 'ATUid_clinic_sw', clinicCode)

      expect(await session.start()).toBe(languageScreen)
      expect(await session.send('2')).toBe(clinicMenu.sw)
      expect(await session.send('1')).toBe(
        clinicPages.first
          .replace('Choose a clinic:', 'Chagua kliniki:')
          .replace('98. More', '98. Zaidi')
          .replace('0. Back', '0. Rudi'),
      )
      expect(await session.send('98')).toContain('\n6. Dandora II Health Centre\n')
      expect(await session.send('6')).toBe(
        [
          'CON Chagua siku:',
          '1. Jumanne 4 Machi',
          '2. Jumatano 5 Machi',
          '3. Alhamisi 6 Machi',
          '4. Ijumaa 7 Machi',
          '5. Jumamosi 8 Machi',
          '0. Rudi',
        ].join('\n'),
      )
      expect(await session.send('1')).toBe(
        [
          'CON Chagua muda:',
          '1. saa 2:00 asubuhi',
          '2. saa 3:00 asubuhi',
          '3. saa 4:00 asubuhi',
          '4. saa 5:00 asubuhi',
          '5. saa 8:00 mchana',
          '6. saa 9:00 alasiri',
          '0. Rudi',
        ].join('\n'),
      )
      expect(await session.send('5')).toBe(
        'CON Weka miadi Dandora II Health Centre, Jumanne 4 Machi saa 8:00 mchana?\n1. Thibitisha\n0. Rudi',
      )
      expect(await session.send('1')).toBe(
        'END Miadi imewekwa: Dandora II Health Centre, Jumanne 4 Machi saa 8:00 mchana. Kumbukumbu AP1001. Utapokea SMS.',
      )

      expect(clinicData.appointments[0]).toMatchObject({
        clinicId: 'C06',
        date: '2025-03-04',
        time: '14:00',
      })
      expect(switchboard.effects.sent).toHaveLength(1)
      expect(switchboard.effects.sent[0]).toMatchObject({
        to: caller,
        text: 'Miadi yako imewekwa Dandora II Health Centre, Jumanne 4 Machi saa 8:00 mchana. Kumbukumbu AP1001. Piga *384*123# kuthibitisha au kughairi.',
      })
    })

    it('remembers the language per phone', async () => {
      const first = ussdSession(server.hop, 'ATUid_clinic_lang_1', clinicCode)
      expect(await first.start()).toBe(languageScreen)
      expect(await first.send('2')).toBe(clinicMenu.sw)

      const second = ussdSession(server.hop, 'ATUid_clinic_lang_2', clinicCode)
      expect(await second.start()).toBe(clinicMenu.sw)

      const loans = ussdSession(server.hop, 'ATUid_clinic_lang_3', loansCode)
      expect(await loans.start()).toMatch(/^CON Mkopo wako\n/)

      const otherPhone = ussdSession(server.hop, 'ATUid_clinic_lang_4', clinicCode, '+254700000002')
      expect(await otherPhone.start()).toBe(languageScreen)
    })

    it('changes the language from the menu', async () => {
      const first = ussdSession(server.hop, 'ATUid_clinic_change_1', clinicCode)
      await first.start()
      expect(await first.send('1')).toBe(clinicMenu.en)
      expect(await first.send('3')).toBe(`${languageScreen}\n0. Back`)
      expect(await first.send('2')).toBe(clinicMenu.sw)

      const second = ussdSession(server.hop, 'ATUid_clinic_change_2', clinicCode)
      expect(await second.start()).toBe(clinicMenu.sw)
    })

    it('cancels the upcoming appointment', async () => {
      clinicData.book({
        msisdn: caller,
        clinicId: 'C01',
        date: '2025-03-04',
        time: '08:00',
        idempotencyKey: 'booked-before-the-test',
      })
      const session = ussdSession(server.hop, 'ATUid_clinic_cancel', clinicCode)

      expect(await session.start()).toBe(languageScreen)
      expect(await session.send('1')).toBe(
        'CON Clinic appointments\n1. My appointment\n2. Ask a nurse\n3. Change language',
      )
      expect(await session.send('1')).toBe(
        'CON Kibera South Health Centre, Tue 4 Mar at 08:00. Ref AP1001 (not confirmed)\n1. I will come\n2. Cancel appointment\n0. Back',
      )
      expect(await session.send('2')).toBe(
        'CON Cancel your appointment on Tue 4 Mar at 08:00?\n1. Yes, cancel it\n0. Back',
      )
      expect(await session.send('1')).toBe(
        'END Your appointment was cancelled. Dial *384*123# to book again.',
      )

      expect(clinicData.appointments[0]?.status).toBe('cancelled')
      expect(switchboard.effects.sent).toHaveLength(1)
      expect(switchboard.effects.sent[0]).toMatchObject({
        to: caller,
        text: 'Your appointment at Kibera South Health Centre on Tue 4 Mar at 08:00 was cancelled. Ref AP1001.',
      })

      const after = ussdSession(server.hop, 'ATUid_clinic_cancel_after', clinicCode)
      expect(await after.start()).toBe(clinicMenu.en)
    })

    it('confirms the upcoming appointment', async () => {
      clinicData.book({
        msisdn: caller,
        clinicId: 'C02',
        date: '2025-03-07',
        time: '15:00',
        idempotencyKey: 'booked-before-the-test',
      })
      const session = ussdSession(server.hop, 'ATUid_clinic_confirm', clinicCode)

      await session.start()
      await session.send('1')
      expect(await session.send('1')).toMatch(/^CON Kangemi Health Centre, Fri 7 Mar at 15:00\./)
      expect(await session.send('1')).toBe('END Thank you. We expect you on Fri 7 Mar at 15:00.')
      expect(clinicData.appointments[0]?.status).toBe('confirmed')
    })

    it('asks a nurse in free text', async () => {
      const question = 'Is 2*500mg paracetamol safe for a child of 6?'
      const session = ussdSession(server.hop, 'ATUid_clinic_nurse', clinicCode)

      await session.start()
      await session.send('1')
      expect(await session.send('2')).toBe(
        "CON Patient's age in years (baby under 1: enter 1):\n0. Back",
      )
      expect(await session.send('200')).toBe(
        "CON Enter an age from 1 to 120.\nPatient's age in years (baby under 1: enter 1):\n0. Back",
      )
      expect(await session.send('6')).toBe('CON Type your question for the nurse:\n0. Back')
      expect(await session.send(question)).toBe(
        'END Thank you. A nurse will reply by SMS within 24 hours. Ref NQ1001.',
      )

      expect(clinicData.questions).toEqual([
        { reference: 'NQ1001', msisdn: caller, age: 6, question },
      ])
    })
  })

  describe('loans', () => {
    it('shows the loan balance', async () => {
      const session = ussdSession(server.hop, 'ATUid_loans_balance', loansCode)

      expect(await session.start()).toBe(languageScreen)
      expect(await session.send('1')).toBe(loansMenu)
      expect(await session.send('1')).toBe(
        'END Loan LN00001: balance KES 12000. Next payment KES 1500 due by 8 Mar.',
      )
    })

    it('records a confirmed repayment once', async () => {
      const session = ussdSession(server.hop, 'ATUid_loans_repay', loansCode)

      await session.start()
      await session.send('1')
      expect(await session.send('2')).toBe('CON Enter amount to repay (KES):\n0. Back')
      expect(await session.send('5')).toBe(
        'CON Enter an amount from 10 to 70000.\nEnter amount to repay (KES):\n0. Back',
      )
      expect(await session.send('2500')).toBe(
        'CON Repay KES 2500 from M-Pesa +254700000001?\n1. Confirm\n0. Back',
      )
      const done = 'END Thank you. KES 2500 received. Ref LR1001. New balance KES 9500.'
      expect(await session.send('1')).toBe(done)
      expect(await session.resend()).toBe(done)

      expect(loansData.repayments).toHaveLength(1)
      expect(loansData.repayments[0]).toMatchObject({
        reference: 'LR1001',
        msisdn: caller,
        amount: 2500,
        balanceAfter: 9500,
      })
      expect(loansData.account(caller).balance).toBe(9500)
      expect(switchboard.effects.sent).toHaveLength(1)
      expect(switchboard.effects.sent[0]).toMatchObject({
        kind: 'sms',
        to: caller,
        text: 'Loan LN00001: we received KES 2500. Ref LR1001. New balance KES 9500. Thank you.',
      })
    })

    it('rejects a repayment above the balance', async () => {
      const session = ussdSession(server.hop, 'ATUid_loans_too_high', loansCode)

      await session.start()
      await session.send('1')
      await session.send('2')
      await session.send('20000')
      expect(await session.send('1')).toBe(
        'END Your balance is KES 12000. Please dial *384*456# and repay that amount or less.',
      )
      expect(loansData.repayments).toHaveLength(0)
      expect(switchboard.effects.sent).toHaveLength(0)
    })

    it('pages through past payments', async () => {
      const session = ussdSession(server.hop, 'ATUid_loans_payments', loansCode)

      await session.start()
      await session.send('1')
      expect(await session.send('3')).toBe(
        [
          'CON Choose a payment:',
          '1. 24 Feb - KES 1500',
          '2. 17 Feb - KES 1500',
          '3. 10 Feb - KES 1000',
          '4. 3 Feb - KES 1500',
          '5. 27 Jan - KES 2000',
          '6. 20 Jan - KES 500',
          '7. 13 Jan - KES 1500',
          '98. More',
          '0. Back',
        ].join('\n'),
      )
      expect(await session.send('98')).toBe(
        [
          'CON Choose a payment:',
          '8. 6 Jan - KES 1500',
          '9. 30 Dec - KES 1000',
          '10. 23 Dec - KES 1500',
          '11. 16 Dec - KES 1500',
          '12. 9 Dec - KES 2000',
          '0. Back',
        ].join('\n'),
      )

      const eighth = loansData.payments(caller)[7]
      expect(eighth?.date).toBe('2025-01-06')
      expect(await session.send('8')).toBe(
        `END M-Pesa ${eighth?.mpesaCode}: KES 1500 on 6 Jan. Received and added to your loan.`,
      )
    })

    it('reports a problem with a payment', async () => {
      const session = ussdSession(server.hop, 'ATUid_loans_report', loansCode)

      await session.start()
      await session.send('1')
      expect(await session.send('4')).toBe(
        'CON Enter the M-Pesa code of the payment (10 letters and digits):\n0. Back',
      )
      expect(await session.send('SGH4X')).toBe(
        'CON Invalid M-Pesa code. Example: SGH4XK2L9P\nEnter the M-Pesa code of the payment (10 letters and digits):\n0. Back',
      )
      expect(await session.send('sgh4xk2l9p')).toBe('CON Describe the problem:\n0. Back')
      expect(await session.send('Charged twice for one payment *334#')).toBe(
        'END Thank you. We will check payment SGH4XK2L9P and reply by SMS within 2 working days. Ref PR1001.',
      )

      expect(loansData.reports).toEqual([
        {
          reference: 'PR1001',
          msisdn: caller,
          mpesaCode: 'SGH4XK2L9P',
          description: 'Charged twice for one payment *334#',
        },
      ])
      expect(switchboard.effects.sent).toHaveLength(1)
      expect(switchboard.effects.sent[0]).toMatchObject({
        to: caller,
        text: 'We received your report on payment SGH4XK2L9P. Ref PR1001. We will reply within 2 working days.',
      })
    })
  })
})
