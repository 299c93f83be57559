import { findNonGsm7Characters } from '../text/gsm7.ts'
import type { UssdScreen } from './ussd-session-client.ts'

// Columns inside the frame, chosen for reading in a terminal. Handsets wrap at their own widths.
const screenWidth = 30

/**
 * Draws a USSD screen as a framed phone display, wrapped at word boundaries, with its character
 * count against `limit` and `CON` or `END` in the footer. Lists characters outside GSM-7 below
 * the frame, because handsets render those badly.
 */
export function renderPhoneScreen(screen: UssdScreen, limit: number): string {
  const rule = '─'.repeat(screenWidth + 2)
  const lines = [
    `┌${rule}┐`,
    ...wrapScreenText(screen.text).map(framed),
    `├${rule}┤`,
    framed(describeFooter(screen, limit)),
    `└${rule}┘`,
  ]

  const outsideGsm7 = findNonGsm7Characters(screen.text)
  if (outsideGsm7.length > 0) {
    lines.push(`Not in GSM-7, may show wrongly on handsets: ${outsideGsm7.join(' ')}`)
  }
  return lines.join('\n')
}

function describeFooter(screen: UssdScreen, limit: number): string {
  const count = [...screen.text].length
  const over = count > limit ? `, ${count - limit} over` : ''
  const usage = `${count}/${limit} characters${over}`
  const marker = screen.end ? 'END' : 'CON'
  return padToWidth(usage, screenWidth - marker.length) + marker
}

function framed(line: string): string {
  return `│ ${padToWidth(line, screenWidth)} │`
}

// Counts code points, as the wrapping does, so an emoji does not shift the frame.
function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length))
}

/** Splits screen text into lines of at most `screenWidth` characters, breaking between words. */
export function wrapScreenText(text: string): string[] {
  const wrapped: string[] = []
  for (const line of text.split('\n')) {
    wrapped.push(...wrapLine(line))
  }
  return wrapped
}

function wrapLine(line: string): string[] {
  const wrapped: string[] = []
  let current = ''

  for (const word of line.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`
    if ([...candidate].length <= screenWidth) {
      current = candidate
      continue
    }

    if (current !== '') wrapped.push(current)
    current = word
    // A word wider than the frame is split across lines.
    while ([...current].length > screenWidth) {
      const characters = [...current]
      wrapped.push(characters.slice(0, screenWidth).join(''))
      current = characters.slice(screenWidth).join('')
    }
  }

  wrapped.push(current)
  return wrapped
}
