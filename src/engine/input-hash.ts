import { createHash } from 'node:crypto'

/**
 * Hashes a cumulative USSD input, so the session keeps no raw inputs (which can include a PIN)
 * yet still recognises a retry and the prefix of the next hop.
 */
export function hashInput(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22)
}
