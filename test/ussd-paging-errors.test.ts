import { describe, expect, it } from 'vitest'
import { createTestSwitchboard } from './support/test-switchboard.ts'

const countiesCode = { serviceCode: '*384*300#' }

/** Lists the option numbers a screen shows, such as ['1', '2', '98', '0']. */
function numbersOn(body: string): string[] {
  return body
    .split('\n')
    .map((line) => /^(\d+)\. /.exec(line)?.[1])
    .filter((number): number is string => number !== undefined)
}

describe.each(['memory', 'redis'] as const)('error line on a paged list on %s', (store) => {
  it('accepts only the options it showed', async () => {
    const board = await createTestSwitchboard({ store })
    const hop = (text: string) =>
      board.hop({ ...countiesCode, sessionId: 'ATUid_page_error', text })

    const first = await hop('')
    const withError = await hop('99')
    const shownFirst = numbersOn(first.body).filter((number) => number !== '98' && number !== '0')
    const shownWithError = numbersOn(withError.body).filter(
      (number) => number !== '98' && number !== '0',
    )
    const hidden = shownFirst.filter((number) => !shownWithError.includes(number))

    expect(withError.body.startsWith('CON Invalid choice.\n')).toBe(true)
    expect(hidden.length).toBeGreaterThan(0)

    const pickHidden = await hop(`99*${hidden[0]}`)
    expect(pickHidden.body.startsWith('CON Invalid choice.\n')).toBe(true)

    const next = await hop(`99*${hidden[0]}*98`)
    const lastShown = Number(shownWithError.at(-1))
    expect(numbersOn(next.body)[0]).toBe(String(lastShown + 1))
    await board.close()
  })
})
