import { contactChanges } from './contact-changes.ts'
import type { Contact, ContactEvent } from './contacts.ts'

/**
 * Appends an event unless one of the same kind and `ref` is still in the history, so handling a
 * message or session end twice records it once. Returns the same contact when nothing changes.
 */
export function recordEventOnce(contact: Contact, event: ContactEvent): Contact {
  const seen = contact.history.some((past) => past.kind === event.kind && past.ref === event.ref)
  return seen ? contact : contactChanges.recordEvent(contact, event)
}

/** Names the channel of a session by its store key: `sms:...`, `<provider>-voice:...`, or USSD. */
export function channelOfSession(key: string): ContactEvent['channel'] {
  if (key.startsWith('sms:')) return 'sms'
  return /^[\w-]+-voice:/.test(key) ? 'voice' : 'ussd'
}
