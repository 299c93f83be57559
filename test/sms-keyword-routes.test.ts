import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadFlows } from '../src/flows/load-flows.ts'
import { SmsKeywordRoutes } from '../src/messaging/inbound/sms-keyword-routes.ts'

const flow = `id: survey
version: 1
languages: [en]
start: done
states:
  done:
    end: Thank you.
`

describe('SMS keyword routes in routes.yaml', () => {
  let directory: string

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'switchboard-sms-routes-'))
    await writeFile(join(directory, 'survey.flow.yaml'), flow)
  })

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  async function loadWithRoutes(routes: string) {
    await writeFile(join(directory, 'routes.yaml'), routes)
    return loadFlows(directory)
  }

  it('loads keywords and help per short code', async () => {
    const { routes } = await loadWithRoutes(
      "sms:\n  '40123':\n    keywords: { Survey: survey }\n    help: { en: Send SURVEY. }\n",
    )

    const keywords = new SmsKeywordRoutes(routes.sms)
    expect(keywords.flowFor('40123', 'survey please')).toBe('survey')
    expect(keywords.flowFor('40123', 'SURVEY.')).toBe('survey')
    expect(keywords.flowFor('40999', 'SURVEY')).toBeUndefined()
    expect(keywords.flowFor('40123', 'surveys')).toBeUndefined()
    expect(keywords.help('40123')).toEqual({ en: 'Send SURVEY.' })
  })

  it.each([
    [
      'an unknown flow',
      'keywords: { SURVEY: parcels }',
      /points at flow "parcels", which is not loaded/,
    ],
    ['a compliance word', 'keywords: { STOP: survey }', /is a compliance keyword/],
    ['a word twice', 'keywords: { SURVEY: survey, survey: survey }', /is listed twice/],
    ['two words', "keywords: { 'MY SURVEY': survey }", /is not one word of letters and digits/],
  ])('rejects %s', async (_label, route, message) => {
    await expect(loadWithRoutes(`sms:\n  '40123':\n    ${route}\n`)).rejects.toThrow(message)
  })

  it('rejects a short code that is not a number', async () => {
    await expect(loadWithRoutes('sms:\n  HELLO:\n    keywords: {}\n')).rejects.toThrow(
      /sms\."HELLO" is not a short code or number/,
    )
  })
})
