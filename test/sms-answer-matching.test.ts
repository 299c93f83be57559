import { describe, expect, it } from 'vitest'
import { chooseQuestion, type QuestionToMatch } from '../src/messaging/inbound/choose-question.ts'
import { editDistance } from '../src/messaging/inbound/edit-distance.ts'
import {
  confirmationChoices,
  englishNumberWords,
  matchAnswer,
  type AnswerMatch,
  type Choice,
} from '../src/messaging/inbound/match-answer.ts'

// "Reply 1 Water, 2 Power, 3 Roads"
const topics: readonly Choice[] = [
  { id: 'water', number: 1, words: ['Water'] },
  { id: 'power', number: 2, words: ['Power'] },
  { id: 'roads', number: 3, words: ['Roads'] },
]

const numberedConfirmation: readonly Choice[] = [
  { id: 'yes', number: 1, words: ['YES'] },
  { id: 'no', number: 2, words: ['NO'] },
]

const noMatch: AnswerMatch = { kind: 'no-match' }
const match = (id: string): AnswerMatch => ({ kind: 'match', id })
const nearMiss = (id: string): AnswerMatch => ({ kind: 'near-miss', id })

describe('confirmation replies', () => {
  it.each<[string, AnswerMatch]>([
    ['yes', match('yes')],
    ['YES', match('yes')],
    [' Yes ', match('yes')],
    ['Yes.', match('yes')],
    ['yes!', match('yes')],
    ['Yes please', match('yes')],
    ['YES\u200b', match('yes')],
    ['yesterday', noMatch],
    ['yes-no', noMatch],
    ['eyes', noMatch],
    ['yse', nearMiss('yes')],
    ['YESS', nearMiss('yes')],
    ['CANCEL', match('cancel')],
    ['cancel.', match('cancel')],
    [' Cancel ', match('cancel')],
    ['CANCLE', nearMiss('cancel')],
    ['no', match('no')],
    ['No.', match('no')],
  ])('%j is %o', (text, expected) => {
    expect(matchAnswer(confirmationChoices, text)).toEqual(expected)
  })
})

describe('confirmation reply edges', () => {
  it.each<[string, AnswerMatch]>([
    ['Yes, thank you', match('yes')],
    ['yes please asante', match('yes')],
    ['ＹＥＳ', match('yes')],
    ['Ndiyo', match('yes')],
    ['hapana', match('no')],
    ['No thanks', match('no')],
    ['Yes but not today', noMatch],
    ['No problem', noMatch],
    ['Please yes', noMatch],
    ['yes no', noMatch],
    ['nope', noMatch],
    ['noo', noMatch],
    ['yess please', nearMiss('yes')],
    ['cancelled', noMatch],
    ['cancl', nearMiss('cancel')],
    ['1', noMatch],
    ['', noMatch],
    ['😀', noMatch],
  ])('%j is %o', (text, expected) => {
    expect(matchAnswer(confirmationChoices, text)).toEqual(expected)
  })

  it.each(['yse', 'YESS', 'CANCLE', 'cancl', 'yess please'])('typo %j never matches', (text) => {
    expect(matchAnswer(confirmationChoices, text).kind).not.toBe('match')
  })
})

describe('numbered replies', () => {
  it.each<[string, AnswerMatch]>([
    ['2', match('power')],
    [' 2 ', match('power')],
    ['2.', match('power')],
    ['2)', match('power')],
    ['#2', match('power')],
    ['٢', match('power')],
    ['۲', match('power')],
    ['２', match('power')],
    ['02', match('power')],
    ['2 power', match('power')],
    ['22', noMatch],
    ['two', noMatch],
  ])('%j is %o', (text, expected) => {
    expect(matchAnswer(topics, text)).toEqual(expected)
  })
})

describe('numbered reply edges', () => {
  it.each<[string, AnswerMatch]>([
    ['(2)', match('power')],
    ['2. Power', match('power')],
    ['2 please', match('power')],
    ['Power', match('power')],
    ['POWER please', match('power')],
    ['power 2', match('power')],
    ['1', match('water')],
    ['3!', match('roads')],
    ['2 roads', noMatch],
    ['power 3', noMatch],
    ['2.5', noMatch],
    ['2 because the lights are out', noMatch],
    ['4', noMatch],
    ['0', noMatch],
    ['1234567', noMatch],
    ['I want power', noMatch],
    ['No power since Monday', noMatch],
    ['powerful', noMatch],
    ['powre', nearMiss('power')],
    ['٢ power', match('power')],
  ])('%j is %o', (text, expected) => {
    expect(matchAnswer(topics, text)).toEqual(expected)
  })

  it('number words when enabled', () => {
    expect(matchAnswer(topics, 'two', { numberWords: englishNumberWords })).toEqual(match('power'))
    expect(matchAnswer(topics, 'Two', { numberWords: englishNumberWords })).toEqual(match('power'))
    expect(matchAnswer(topics, 'ten', { numberWords: englishNumberWords })).toEqual(noMatch)
  })

  it('numbered confirmation accepts digit', () => {
    expect(matchAnswer(numberedConfirmation, '1')).toEqual(match('yes'))
    expect(matchAnswer(numberedConfirmation, 'yes 1')).toEqual(match('yes'))
    expect(matchAnswer(numberedConfirmation, 'yes 2')).toEqual(noMatch)
  })

  it('multi-word option phrase', () => {
    const choices: Choice[] = [
      { id: 'unsure', number: 4, words: ['Not sure'] },
      { id: 'no', number: 2, words: ['No'] },
    ]

    expect(matchAnswer(choices, 'not sure')).toEqual(match('unsure'))
    expect(matchAnswer(choices, 'Not sure, thanks')).toEqual(match('unsure'))
    expect(matchAnswer(choices, 'not')).toEqual(noMatch)
  })

  it('shared word between choices rejected', () => {
    const choices: Choice[] = [
      { id: 'a', number: 1, words: ['Clinic'] },
      { id: 'b', number: 2, words: ['Clinic'] },
    ]

    expect(matchAnswer(choices, 'clinic')).toEqual(noMatch)
  })
})

describe('edit distance', () => {
  it.each([
    ['YES', 'YES', 0],
    ['YSE', 'YES', 1],
    ['YESS', 'YES', 1],
    ['CANCLE', 'CANCEL', 1],
    ['EYES', 'YES', 1],
    ['YESTERDAY', 'YES', 6],
    ['', 'NO', 2],
  ])('%s to %s is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected)
  })
})

describe('chooseQuestion', () => {
  const now = Date.UTC(2024, 4, 1, 10, 0, 0)
  const minute = 60_000

  function question(
    id: string,
    expects: readonly Choice[],
    fields: Partial<QuestionToMatch> = {},
  ): QuestionToMatch {
    return {
      id,
      sessionKey: `sms:${id}`,
      expects,
      askedAt: now - 10 * minute,
      expiresAt: now + 60 * minute,
      ...fields,
    }
  }

  it('single question takes match', () => {
    const topicsQuestion = question('topics', topics)

    expect(chooseQuestion([topicsQuestion], '2', { now })).toEqual({
      kind: 'match',
      question: topicsQuestion,
      id: 'power',
    })
  })

  it('same number to two lists is ambiguous', () => {
    const older = question('older', topics, { askedAt: now - 20 * minute })
    const newer = question('newer', numberedConfirmation, { askedAt: now - 5 * minute })

    expect(chooseQuestion([older, newer], '1', { now })).toEqual({
      kind: 'ambiguous',
      questions: [newer, older],
    })
  })

  it('YES to two confirmations is ambiguous', () => {
    const transfer = question('transfer', confirmationChoices, { askedAt: now - 2 * minute })
    const visit = question('visit', confirmationChoices, { askedAt: now - 1 * minute })

    const result = chooseQuestion([transfer, visit], 'yes', { now })

    expect(result).toEqual({ kind: 'ambiguous', questions: [visit, transfer] })
  })

  it('reply valid for one question only', () => {
    const confirmation = question('transfer', confirmationChoices, { askedAt: now - 30 * minute })
    const topicsQuestion = question('topics', topics, { askedAt: now - 1 * minute })

    expect(chooseQuestion([confirmation, topicsQuestion], 'yes', { now })).toEqual({
      kind: 'match',
      question: confirmation,
      id: 'yes',
    })
    expect(chooseQuestion([confirmation, topicsQuestion], '2', { now })).toEqual({
      kind: 'match',
      question: topicsQuestion,
      id: 'power',
    })
  })

  it('expired question skipped', () => {
    const expired = question('expired', topics, { expiresAt: now })
    const open = question('open', numberedConfirmation)

    expect(chooseQuestion([expired, open], '1', { now })).toEqual({
      kind: 'match',
      question: open,
      id: 'yes',
    })
  })

  it('newer question of same session wins', () => {
    const first = question('first', topics, { sessionKey: 'sms:s1', askedAt: now - 9 * minute })
    const second = question('second', numberedConfirmation, {
      sessionKey: 'sms:s1',
      askedAt: now - 3 * minute,
    })

    expect(chooseQuestion([first, second], '1', { now })).toEqual({
      kind: 'match',
      question: second,
      id: 'yes',
    })
  })

  it('near-miss goes to newest', () => {
    const older = question('older', confirmationChoices, { askedAt: now - 9 * minute })
    const newer = question('newer', confirmationChoices, { askedAt: now - 3 * minute })

    expect(chooseQuestion([older, newer], 'yse', { now })).toEqual({
      kind: 'near-miss',
      question: newer,
      id: 'yes',
    })
  })

  it('exact match beats near-miss', () => {
    const confirmation = question('transfer', confirmationChoices, { askedAt: now - 1 * minute })
    // YES is one letter from YET, so the older question alone would get a near-miss.
    const typoTarget = question('older', [{ id: 'yet', words: ['Yet'] }], {
      askedAt: now - 5 * minute,
    })

    expect(chooseQuestion([confirmation, typoTarget], 'yes', { now })).toEqual({
      kind: 'match',
      question: confirmation,
      id: 'yes',
    })
  })

  it('near-miss alone is reported', () => {
    const typoTarget = question('older', [{ id: 'yet', words: ['Yet'] }])

    expect(chooseQuestion([typoTarget], 'yes', { now })).toEqual({
      kind: 'near-miss',
      question: typoTarget,
      id: 'yet',
    })
  })

  it('no open questions is no-match', () => {
    expect(chooseQuestion([], 'yes', { now })).toEqual({ kind: 'no-match' })
  })

  it('number words passed through', () => {
    const topicsQuestion = question('topics', topics)

    expect(chooseQuestion([topicsQuestion], 'three', { now })).toEqual({ kind: 'no-match' })
    expect(
      chooseQuestion([topicsQuestion], 'three', { now, numberWords: englishNumberWords }),
    ).toEqual({ kind: 'match', question: topicsQuestion, id: 'roads' })
  })
})
