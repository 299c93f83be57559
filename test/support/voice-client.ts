import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { expect } from 'vitest'

/** Default Africa's Talking voice fields; a test passes only those that differ. */
export const defaultCallFields = {
  isActive: '1',
  direction: 'Inbound',
  callerNumber: '+254700000001',
  destinationNumber: '+254711000000',
}

/** An element of a voice reply, as parsed by a real XML parser. */
export interface XmlNode {
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  readonly children: readonly XmlNode[]
  /** The element's own text, entities decoded. */
  readonly text: string
}

export interface CallResult {
  readonly status: number
  readonly contentType: string | null
  readonly body: string
  /** The `<Response>` element, or null when the body is empty or not well-formed XML. */
  readonly response: XmlNode | null
  /** The parser's complaint when the body is not well-formed XML. */
  readonly xmlError: string | null
}

type Fetcher = (path: string, init: RequestInit) => Promise<Response> | Response

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
})

/** Parses a voice reply and returns its `<Response>` element, or the parser's complaint. */
export function parseVoiceXml(body: string): { response: XmlNode | null; error: string | null } {
  const valid = XMLValidator.validate(body)
  if (valid !== true) return { response: null, error: `${valid.err.code}: ${valid.err.msg}` }

  const nodes = toNodes(parser.parse(body) as unknown[])
  const response = nodes.find((node) => node.name === 'Response') ?? null
  return { response, error: response === null ? 'no <Response> element' : null }
}

function toNodes(items: unknown[]): XmlNode[] {
  const nodes: XmlNode[] = []
  for (const item of items) {
    const entry = item as Record<string, unknown>
    const name = Object.keys(entry).find((key) => key !== ':@' && key !== '#text')
    if (name === undefined || name === '?xml') continue

    const content = (entry[name] ?? []) as Record<string, unknown>[]
    const text = content
      .filter((part) => '#text' in part)
      .map((part) => String(part['#text']))
      .join('')
    nodes.push({
      name,
      attributes: (entry[':@'] ?? {}) as Record<string, string>,
      children: toNodes(content),
      text,
    })
  }
  return nodes
}

/** The names of a reply's top-level actions, in order. */
export function actionNames(response: XmlNode | null): string[] {
  return response?.children.map((child) => child.name) ?? []
}

/** The first top-level action called `name`. */
export function findAction(response: XmlNode | null, name: string): XmlNode | undefined {
  return response?.children.find((child) => child.name === name)
}

/** The path and query of the URL a reply sends the next callback to (GetDigits or Record). */
export function nextCallbackPath(response: XmlNode | null): string {
  const input = response?.children.find((child) => child.attributes['callbackUrl'] !== undefined)
  const url = input?.attributes['callbackUrl']
  if (url === undefined) throw new Error('the reply has no GetDigits or Record with a callbackUrl')
  const parsed = new URL(url)
  return parsed.pathname + parsed.search
}

/**
 * Sends Africa's Talking voice callbacks, in process (`app.request`) or over a real socket
 * (`fetch` with a base URL). `path` may carry the step query of a previous reply.
 */
export function voiceClient(fetcher: Fetcher, defaultPath = '/africastalking/voice') {
  return async function call(
    fields: Record<string, string | undefined>,
    path = defaultPath,
  ): Promise<CallResult> {
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries({ ...defaultCallFields, ...fields })) {
      if (value !== undefined) form.set(name, value)
    }
    const response = await fetcher(path, {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })

    const body = await response.text()
    const parsed = body === '' ? { response: null, error: null } : parseVoiceXml(body)
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body,
      response: parsed.response,
      xmlError: parsed.error,
    }
  }
}

/**
 * Checks what every reply to a live call owes: HTTP 200, an XML content type, a well-formed
 * document, and after each GetDigits or Record a `<Say>` and a `<Redirect>` back to `path` with
 * the same step, so silence never ends the call. Returns the `<Response>` element.
 */
export function expectLiveVoiceReply(result: CallResult, path = '/africastalking/voice'): XmlNode {
  expect(result.status).toBe(200)
  expect(result.contentType).toMatch(/^application\/xml/)
  expect(result.xmlError).toBeNull()
  expect(result.body.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true)
  expect(result.response).not.toBeNull()

  const actions = result.response?.children ?? []
  actions.forEach((action, index) => {
    if (action.name !== 'GetDigits' && action.name !== 'Record') return
    const step = new URL(action.attributes['callbackUrl'] ?? '').searchParams.get('step')
    const redirect = actions[index + 2]
    expect(actions[index + 1]?.name).toBe('Say')
    expect(redirect?.name).toBe('Redirect')
    const target = new URL(redirect?.text ?? '')
    expect(target.pathname).toBe(path)
    expect(target.searchParams.get('step')).toBe(step)
  })
  return result.response as XmlNode
}

/** The text a reply's GetDigits or Record reads out. */
export function inputPrompt(response: XmlNode | null): string | undefined {
  const input = findAction(response, 'GetDigits') ?? findAction(response, 'Record')
  return input?.children[0]?.text
}
