import type { Contact, ContactEvent, OpenQuestion, OptOutStatus } from './contacts.ts'

/** Events kept per contact; older ones are dropped first. */
export const maxContactEvents = 20

/** Characters of message text kept per event, so a contact stays a small record. */
export const maxEventTextLength = 320

/** Open questions kept per contact; the oldest is dropped first. */
export const maxOpenQuestions = 10

/**
 * Pure changes for `ContactStore.update`. Each returns a new contact, or the same object when
 * nothing changes.
 */
export const contactChanges = {
  setLanguage(contact: Contact, language: string): Contact {
    if (contact.language === language) return contact
    return { ...contact, language }
  },

  /** Records an opt-out or opt-in. Repeating the current state keeps its first reason and time. */
  setOptOut(contact: Contact, status: OptOutStatus): Contact {
    if (contact.optOut?.optedOut === status.optedOut) return contact
    return { ...contact, optOut: status }
  },

  /** Appends an event, keeping the newest `maxContactEvents`. */
  recordEvent(contact: Contact, event: ContactEvent): Contact {
    const text = event.text === undefined ? {} : { text: event.text.slice(0, maxEventTextLength) }
    const history = [...contact.history, { ...event, ...text }].slice(-maxContactEvents)
    return { ...contact, history }
  },

  /**
   * Adds a question waiting for a reply. It replaces an open question of the same session, and
   * questions expired when it was asked are dropped.
   */
  askQuestion(contact: Contact, question: OpenQuestion): Contact {
    const kept = contact.openQuestions.filter(
      (open) => open.sessionKey !== question.sessionKey && open.expiresAt > question.askedAt,
    )
    const openQuestions = [...kept, question].slice(-maxOpenQuestions)
    return { ...contact, openQuestions }
  },

  /** Removes one question, once answered or abandoned. */
  closeQuestion(contact: Contact, questionId: string): Contact {
    return keepQuestions(contact, (open) => open.id !== questionId)
  },

  /** Removes every question of a session, when the session ends or is cancelled. */
  closeSessionQuestions(contact: Contact, sessionKey: string): Contact {
    return keepQuestions(contact, (open) => open.sessionKey !== sessionKey)
  },

  /** Removes every open question, as an opt-out does. */
  closeAllQuestions(contact: Contact): Contact {
    return keepQuestions(contact, () => false)
  },

  dropExpiredQuestions(contact: Contact, now: number): Contact {
    return keepQuestions(contact, (open) => open.expiresAt > now)
  },
}

/** True when the subscriber opted out and has not opted back in. */
export function isOptedOut(contact: Contact | null): boolean {
  return contact?.optOut?.optedOut ?? false
}

function keepQuestions(contact: Contact, keep: (question: OpenQuestion) => boolean): Contact {
  const openQuestions = contact.openQuestions.filter(keep)
  if (openQuestions.length === contact.openQuestions.length) return contact
  return { ...contact, openQuestions }
}
