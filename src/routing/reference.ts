import { createHash } from 'node:crypto'

// Digits and capitals without 0, 1, I and O, which read alike on a small screen: 32 symbols.
const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'

/** Symbols after `REF-`: 32^6, about a billion references. */
const length = 6

/**
 * The reference of a message, such as `REF-7KX4M2`. It is derived from the message id, so a
 * retried message gets the same reference. `attempt` picks another one when a team already has an
 * item with the first.
 */
export function referenceFor(messageId: string, attempt = 0): string {
  const digest = createHash('sha256').update(`${messageId}#${attempt}`).digest()
  let symbols = ''
  for (let index = 0; index < length; index += 1) {
    symbols += alphabet[(digest[index] ?? 0) % alphabet.length]
  }
  return `REF-${symbols}`
}

/** True for text shaped like a reference, so a path parameter can be checked before use. */
export function isReference(text: string): boolean {
  return /^REF-[2-9A-HJ-NP-Z]{6}$/.test(text)
}
