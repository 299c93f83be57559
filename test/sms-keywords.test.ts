import { describe, expect, it } from 'vitest'
import {
  complianceKeywords,
  matchComplianceKeyword,
  type ComplianceAction,
} from '../src/messaging/inbound/keywords.ts'
import { normalizeMatchText } from '../src/messaging/inbound/match-text.ts'

type Expected = ComplianceAction | 'none'

function actionOf(text: string): Expected {
  return matchComplianceKeyword(normalizeMatchText(text))?.action ?? 'none'
}

describe('opt-out keywords', () => {
  it.each<[string, Expected]>([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    ['  Stop  ', 'opt-out'],
    ['Stop.', 'opt-out'],
    ['STOP!!', 'opt-out'],
    ['Stop. Thank you', 'opt-out'],
    ['Stop sending me messages', 'opt-out'],
    ['ＳＴＯＰ', 'opt-out'],
    ['STOP\u200b', 'opt-out'],
    ['UNSUBSCRIBE', 'opt-out'],
    ['QUIT', 'opt-out'],
    ['END', 'opt-out'],
    ['OPTOUT', 'opt-out'],
    ['opt out', 'opt-out'],
    ['REVOKE', 'opt-out'],
    ['STOPALL', 'opt-out'],
    ['STOP 12345', 'opt-out'],
    ['We have got to STOP this bill', 'none'],
    ['stopping by later', 'none'],
  ])('%j is %s', (text, expected) => {
    expect(actionOf(text)).toBe(expected)
  })
})

describe('opt-out keyword edges', () => {
  it.each<[string, Expected]>([
    ['stop please', 'opt-out'],
    ['Stop, thanks', 'opt-out'],
    ['Stop.Thank you', 'opt-out'],
    ['stop now', 'opt-out'],
    ['Stop it', 'opt-out'],
    ['Stop texting me', 'opt-out'],
    ['STOP STOP STOP', 'opt-out'],
    ['STOP ALL', 'opt-out'],
    ['stop all messages', 'opt-out'],
    ['Stop 😡', 'opt-out'],
    ['"STOP"', 'opt-out'],
    ['stöp', 'opt-out'],
    ['opt-out', 'opt-out'],
    ['Opt Out please', 'opt-out'],
    ['un-subscribe', 'opt-out'],
    ['STOP 12345 please', 'opt-out'],
    ['STOP ١٢٣', 'opt-out'],
    ['Stop asante', 'opt-out'],
    ['STOP\u00a0\u00a0', 'opt-out'],
    ['\ufeffSTOP', 'opt-out'],
    ['STOP this bill', 'none'],
    ['STOP 12345 this bill', 'none'],
    ['Please stop', 'none'],
    ['Don’t stop', 'none'],
    ['stopped', 'none'],
    ['STOP12345', 'none'],
    ['End of the month payment', 'none'],
    ['nonstop', 'none'],
    ['', 'none'],
    ['!!!', 'none'],
  ])('%j is %s', (text, expected) => {
    expect(actionOf(text)).toBe(expected)
  })
})

describe('opt-in and help keywords', () => {
  it.each<[string, Expected]>([
    ['START', 'opt-in'],
    ['start', 'opt-in'],
    ['UNSTOP', 'opt-in'],
    ['Subscribe', 'opt-in'],
    ['Start please', 'opt-in'],
    ['Start sending me messages again', 'opt-in'],
    ['Starting tomorrow', 'none'],
    ['Start the loan application', 'none'],
    ['HELP', 'help'],
    ['help me', 'help'],
    ['Help me please', 'help'],
    ['Info', 'help'],
    ['INFO?', 'help'],
    ['Help me with my loan', 'none'],
    ['Info on my parcel', 'none'],
    ['helpful', 'none'],
  ])('%j is %s', (text, expected) => {
    expect(actionOf(text)).toBe(expected)
  })
})

describe('flow words are not keywords', () => {
  it.each([['CANCEL'], ['cancel'], ['YES'], ['yes please'], ['NO'], ['1'], ['2']])(
    '%j is none',
    (text) => {
      expect(actionOf(text)).toBe('none')
    },
  )
})

describe('keyword match details', () => {
  it('STOP with digits carries reference', () => {
    expect(matchComplianceKeyword('STOP 12345')).toEqual({
      action: 'opt-out',
      keyword: 'STOP',
      reference: '12345',
    })
  })

  it('folded digits in reference', () => {
    expect(matchComplianceKeyword(normalizeMatchText('STOP ١٢٣'))?.reference).toBe('123')
  })

  it('bare STOP has no reference', () => {
    expect(matchComplianceKeyword('STOP')).toEqual({ action: 'opt-out', keyword: 'STOP' })
  })

  it('two-word keyword names listed form', () => {
    expect(matchComplianceKeyword('opt out')).toEqual({ action: 'opt-out', keyword: 'OPT OUT' })
  })

  it('custom table adds Swahili word', () => {
    const keywords = {
      ...complianceKeywords,
      'opt-out': [...complianceKeywords['opt-out'], 'ACHA'],
    }

    expect(matchComplianceKeyword('acha', keywords)?.action).toBe('opt-out')
    expect(matchComplianceKeyword('acha')).toBeNull()
  })
})
