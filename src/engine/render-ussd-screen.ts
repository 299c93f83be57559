import { toGsm7Basic } from '../text/gsm7.ts'

export interface UssdPageRequest {
  /** Error line shown first, or undefined. */
  readonly error?: string
  readonly prompt: string
  /** Option labels with the number shown before each (`1`, `2`, ...). */
  readonly options: readonly { readonly number: string; readonly label: string }[]
  /** Index of the first option on this page. */
  readonly start: number
  /** Footer line for going back, or undefined when the screen cannot go back. */
  readonly backLine?: string
  /** Footer line for the next page. */
  readonly moreLine: string
  /** Maximum characters of the screen text, not counting the `CON `/`END ` prefix. */
  readonly limit: number
}

export interface UssdPage {
  readonly text: string
  /** Number of options on this page. */
  readonly shown: number
  readonly hasMore: boolean
}

const ellipsis = '...'

/** Cuts `text` to at most `max` characters, ending with `...` when it had to cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  if (max <= ellipsis.length) return text.slice(0, Math.max(0, max))
  return text.slice(0, max - ellipsis.length).trimEnd() + ellipsis
}

/**
 * Lays out one page of a USSD screen within `limit` characters: the error line, the prompt,
 * as many whole option lines as fit from `start`, then the "more" and "back" lines. Every piece
 * is first rewritten to the GSM-7 basic set, so the limit is measured on what is sent. An option
 * line that is too long on its own is cut with `...`; a page always shows at least one option.
 */
export function renderUssdPage(request: UssdPageRequest): UssdPage {
  const moreLine = toGsm7Basic(request.moreLine)
  const backLine = request.backLine === undefined ? undefined : toGsm7Basic(request.backLine)
  const header = headerLines(request)
  const remaining = request.options.slice(request.start)

  const footerFor = (hasMore: boolean) => [hasMore ? moreLine : undefined, backLine]
  const fits = (lines: (string | undefined)[]) => joinLines(lines).length <= request.limit

  const lines: string[] = []
  for (const option of remaining) {
    const line = `${option.number}. ${toGsm7Basic(option.label).replace(/\n/g, ' ')}`
    const isLast = lines.length + 1 === remaining.length
    const candidate = [...header, ...lines, line, ...footerFor(!isLast)]
    if (fits(candidate)) {
      lines.push(line)
      continue
    }

    if (lines.length > 0) break
    const room = request.limit - joinLines([...header, ...footerFor(!isLast)]).length - 1
    lines.push(truncate(line, Math.max(room, option.number.length + 2)))
    if (isLast) break
  }

  const hasMore = lines.length < remaining.length
  const text = joinLines([...header, ...lines, ...footerFor(hasMore)])
  return { text: truncate(text, request.limit), shown: lines.length, hasMore }
}

function headerLines(request: UssdPageRequest): string[] {
  const error = request.error === undefined ? undefined : toGsm7Basic(request.error)
  const prompt = toGsm7Basic(request.prompt)
  const hasOptions = request.options.length > request.start

  // Keep room for at least one option line and the footer, and cut the prompt when it would
  // not leave it.
  const reserve = hasOptions ? 40 : (request.backLine?.length ?? 0) + 1
  const room = Math.max(20, request.limit - reserve - (error ? error.length + 1 : 0))
  return [error, truncate(prompt, room)].filter((line): line is string => line !== undefined)
}

function joinLines(lines: (string | undefined)[]): string {
  return lines.filter((line) => line !== undefined && line !== '').join('\n')
}

/**
 * Renders a screen without options (a final screen, or one that waits for typed input) within
 * `limit` characters. The body is cut with `...` so the error and footer lines always stay whole.
 */
export function renderUssdText(parts: {
  readonly error?: string
  readonly body: string
  readonly footer?: string
  readonly limit: number
}): string {
  const error = parts.error === undefined ? undefined : toGsm7Basic(parts.error)
  const footer = parts.footer === undefined ? undefined : toGsm7Basic(parts.footer)
  const fixed = joinLines([error, footer])
  const room = parts.limit - (fixed.length > 0 ? fixed.length + 1 : 0)

  const body = truncate(toGsm7Basic(parts.body), Math.max(room, 0))
  return truncate(joinLines([error, body, footer]), parts.limit)
}
