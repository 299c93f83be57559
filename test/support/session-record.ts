import type { SessionRecord } from '../../src/store/session-store.ts'

/**
 * A stored session of the wallet flow at its main menu. A test passes only the fields that differ.
 */
export function sessionRecord(
  fields: Partial<SessionRecord> & Pick<SessionRecord, 'key'>,
): SessionRecord {
  return {
    msisdn: '+254700000001',
    flowId: 'wallet',
    flowVersion: 1,
    flowRevision: 'test',
    version: 1,
    status: 'active',
    value: 'main',
    context: { msisdn: fields.msisdn ?? '+254700000001', language: 'en' },
    history: [],
    pages: [0],
    shown: 3,
    lastInputLength: 0,
    lastInputHash: '',
    lastReply: { end: false, text: 'Welcome\n1. Check balance\n2. Send money\n3. Register' },
    updatedAt: 1_714_557_600_000,
    ...fields,
  }
}
