/** One action of a voice reply, as the simulator plays it. */
export type ScriptAction =
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'play'; readonly url: string }
  | {
      readonly kind: 'getDigits'
      readonly prompt: readonly ScriptAction[]
      readonly numDigits?: number
      readonly finishOnKey?: string
      readonly timeoutSeconds?: number
      readonly callbackUrl?: string
    }
  | {
      readonly kind: 'record'
      readonly prompt: readonly ScriptAction[]
      readonly maxLengthSeconds?: number
      readonly finishOnKey?: string
      readonly callbackUrl?: string
    }
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'unsupported'; readonly name: string }

interface Element {
  readonly name: string
  readonly attributes: Record<string, string>
  readonly children: (Element | string)[]
}

/** A reply body that is not a voice document the simulator can read. */
export class VoiceScriptError extends Error {
  override name = 'VoiceScriptError'
}

// The declaration, a start, end or empty tag with double-quoted attributes, or text.
const token = /<\?[^>]*\?>|<(\/?)([A-Za-z]+)((?:\s+[A-Za-z]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y
const attribute = /([A-Za-z]+)="([^"]*)"/g

/**
 * Reads a voice reply (`<?xml ...?><Response>...</Response>`) into the actions a call plays. It
 * reads the XML that Switchboard writes: elements, double-quoted attributes, text and the
 * standard entities; anything else raises `VoiceScriptError`.
 */
export function parseVoiceScript(body: string): ScriptAction[] {
  const root = parseElements(body.trim())
  if (root?.name !== 'Response') {
    throw new VoiceScriptError('the reply has no <Response> element')
  }
  return root.children.flatMap((child) => (typeof child === 'string' ? [] : [toAction(child)]))
}

function parseElements(body: string): Element | undefined {
  const top: Element = { name: '', attributes: {}, children: [] }
  const open: Element[] = [top]
  token.lastIndex = 0

  while (token.lastIndex < body.length) {
    const at = token.lastIndex
    const match = token.exec(body)
    if (match === null) throw new VoiceScriptError(`unreadable XML at character ${at}`)
    const [, closing, name, attributes, empty, text] = match
    const parent = open.at(-1) as Element

    if (text !== undefined) {
      if (text.trim() !== '') parent.children.push(decodeEntities(text))
    } else if (name !== undefined && closing === '/') {
      if (parent.name !== name) throw new VoiceScriptError(`</${name}> closes <${parent.name}>`)
      open.pop()
    } else if (name !== undefined) {
      const element: Element = { name, attributes: readAttributes(attributes ?? ''), children: [] }
      parent.children.push(element)
      if (empty !== '/') open.push(element)
    }
  }

  if (open.length > 1) throw new VoiceScriptError(`<${open.at(-1)?.name}> is never closed`)
  return top.children.find((child): child is Element => typeof child !== 'string')
}

function readAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const [, name, value] of source.matchAll(attribute)) {
    if (name !== undefined) attributes[name] = decodeEntities(value ?? '')
  }
  return attributes
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (entity, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)))
    return named[name] ?? entity
  })
}

function textOf(element: Element): string {
  return element.children.filter((child) => typeof child === 'string').join('')
}

function numberOrUndefined(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value)
}

function toAction(element: Element): ScriptAction {
  const prompt = () =>
    element.children.flatMap((child) => (typeof child === 'string' ? [] : [toAction(child)]))
  const { attributes } = element

  switch (element.name) {
    case 'Say':
      return { kind: 'say', text: textOf(element) }
    case 'Play':
      return { kind: 'play', url: attributes['url'] ?? '' }
    case 'GetDigits':
      return {
        kind: 'getDigits',
        prompt: prompt(),
        numDigits: numberOrUndefined(attributes['numDigits']),
        finishOnKey: attributes['finishOnKey'],
        timeoutSeconds: numberOrUndefined(attributes['timeout']),
        callbackUrl: attributes['callbackUrl'],
      }
    case 'Record':
      return {
        kind: 'record',
        prompt: prompt(),
        maxLengthSeconds: numberOrUndefined(attributes['maxLength']),
        finishOnKey: attributes['finishOnKey'],
        callbackUrl: attributes['callbackUrl'],
      }
    case 'Redirect':
      return { kind: 'redirect', url: textOf(element) }
    default:
      return { kind: 'unsupported', name: element.name }
  }
}
