import type { Contact, ContactEvent } from '../messaging/inbound/contacts.ts'
import { isOptedOut } from '../messaging/inbound/contact-changes.ts'
import type { LastReceived } from './message-facts.ts'

/** Entries kept per list of an item's context. */
export const contextListLength = 5

/** A message in an item's context. */
export interface ContextMessage {
  readonly at: number
  readonly channel: string
  readonly text?: string
  /** The reference of an earlier request, or the provider's message id. */
  readonly reference?: string
  /** What happened to it: `queued:nurses`, `answered`. */
  readonly outcome?: string
}

/** A session of the person on USSD, voice or SMS, and how it ended. */
export interface ContextSession {
  readonly at: number
  readonly channel: string
  readonly ref?: string
  readonly outcome?: string
}

/** An earlier request of the same person, as the queue remembers it. */
export interface EarlierRequest {
  readonly reference: string
  readonly messageId: string
  readonly team: string
  readonly category: string
  readonly text: string
  readonly at: number
  readonly channel: string
}

/** What an agent sees about the person next to their message. */
export interface ItemContext {
  readonly contact: {
    readonly msisdn: string
    readonly language?: string
    readonly optedOut: boolean
    readonly optOutReason?: string
  }
  /** SMS Switchboard sent the person lately, newest first. */
  readonly recentSent: readonly ContextMessage[]
  /** What the person asked before, newest first. */
  readonly askedBefore: readonly ContextMessage[]
  /** Their last sessions and how each ended, newest first. */
  readonly sessions: readonly ContextSession[]
  readonly lastReceived?: LastReceived
  /** What the channel passed along with the message, such as the USSD menu it came from. */
  readonly channelContext?: Readonly<Record<string, unknown>>
}

/**
 * A contact event that names the flow or campaign it belongs to. `ContactEvent` does not declare
 * these fields; senders that know them add them, and `recordEvent` keeps them.
 */
export interface CampaignEvent extends ContactEvent {
  readonly flowId?: string
  readonly campaign?: string
}

/** Builds the context of a new item from the contact record and the person's earlier requests. */
export function buildItemContext(input: {
  readonly msisdn: string
  readonly messageId: string
  readonly contact: Contact | null
  readonly earlier: readonly EarlierRequest[]
  readonly channelContext?: Readonly<Record<string, unknown>>
}): ItemContext {
  const history = [...(input.contact?.history ?? [])].reverse()
  const optOut = input.contact?.optOut

  const recentSent = history
    .filter((event) => event.kind === 'sms-out')
    .slice(0, contextListLength)
    .map((event) => contextMessage(event))
  const askedBefore = mergeAsked(history, input.earlier, input.messageId)
  const sessions = history
    .filter((event) => event.kind === 'session')
    .slice(0, contextListLength)
    .map((event) => ({
      at: event.at,
      channel: event.channel,
      ref: event.ref,
      outcome: event.outcome,
    }))

  return {
    contact: {
      msisdn: input.msisdn,
      language: input.contact?.language,
      optedOut: isOptedOut(input.contact),
      ...(optOut?.optedOut === true ? { optOutReason: optOut.reason } : {}),
    },
    recentSent,
    askedBefore,
    sessions,
    lastReceived: lastReceivedOf(input.contact, input.channelContext),
    ...(input.channelContext === undefined ? {} : { channelContext: input.channelContext }),
  }
}

/**
 * The flow or campaign whose message the person got last: from the channel's context when it
 * names one (`flowId`, `campaign`), else from the newest outgoing SMS or session in the history
 * that names one.
 */
export function lastReceivedOf(
  contact: Contact | null,
  channelContext?: Readonly<Record<string, unknown>>,
): LastReceived | undefined {
  const flow = stringField(channelContext, 'flowId')
  const campaign = stringField(channelContext, 'campaign')
  if (flow !== undefined || campaign !== undefined) {
    const at = channelContext?.['receivedAt']
    return { flow, campaign, at: typeof at === 'number' ? at : 0 }
  }

  const history = (contact?.history ?? []) as readonly CampaignEvent[]
  for (let index = history.length - 1; index >= 0; index -= 1) {
    const event = history[index]
    if (event === undefined || event.kind === 'sms-in') continue
    if (event.flowId === undefined && event.campaign === undefined) continue
    return { flow: event.flowId, campaign: event.campaign, at: event.at }
  }
  return undefined
}

function mergeAsked(
  history: readonly ContactEvent[],
  earlier: readonly EarlierRequest[],
  messageId: string,
): ContextMessage[] {
  const fromQueue = earlier
    .filter((request) => request.messageId !== messageId)
    .map((request) => ({
      at: request.at,
      channel: request.channel,
      text: request.text,
      reference: request.reference,
      outcome: `queued:${request.team}`,
      messageId: request.messageId,
    }))
  const fromHistory = history
    .filter((event) => event.kind === 'sms-in' && event.ref !== messageId)
    .map((event) => ({ ...contextMessage(event), ref: event.ref }))
  // One request can be in both lists; the queue's entry carries the reference, so it is kept.
  const seen = new Set(fromQueue.map((request) => request.messageId))
  const merged: ContextMessage[] = [
    ...fromQueue.map(({ messageId: _messageId, ...request }) => request),
    ...fromHistory
      .filter((event) => !seen.has(event.ref ?? ''))
      .map(({ ref: _ref, ...event }) => event),
  ]
  return merged.sort((a, b) => b.at - a.at).slice(0, contextListLength)
}

function contextMessage(event: ContactEvent): ContextMessage {
  return {
    at: event.at,
    channel: event.channel,
    ...(event.text === undefined ? {} : { text: event.text }),
    ...(event.outcome === undefined ? {} : { outcome: event.outcome }),
  }
}

function stringField(
  record: Readonly<Record<string, unknown>> | undefined,
  key: string,
): string | undefined {
  const value = record?.[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}
