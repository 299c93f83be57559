import type { DraftRecord, SessionReply } from '../store/session-store.ts'
import type { Flow } from './flow.ts'
import { leafMeta } from './flow-cursor.ts'
import { localize } from './localize.ts'
import type { EngineMessages } from './messages.ts'
import { fillTemplate } from '../text/template.ts'
import { renderUssdPage } from './render-ussd-screen.ts'

/** The subscriber's answer to the offer: continue the draft, start over, or neither. */
export type ResumeChoice = 'continue' | 'start-over' | 'invalid'

/** True when `draft` may still be continued on `flow` at `now`. */
export function isResumable(
  draft: DraftRecord | null,
  flow: Flow,
  now: number,
): draft is DraftRecord {
  if (draft === null) return false
  if (draft.flowVersion !== flow.version) return false
  return now - draft.savedAt < flow.resumeWindowSeconds * 1000
}

/** Renders "You have an unfinished <activity>. 1. Continue 2. Start over". */
export function renderResumeOffer(
  flow: Flow,
  draft: DraftRecord,
  language: string,
  messages: EngineMessages,
  screenLimit: number,
  error?: boolean,
): SessionReply {
  const text = (value: Parameters<typeof localize>[0]) =>
    localize(value, language, flow.defaultLanguage)
  const activity =
    leafMeta(flow.machine, draft.value).activity ?? flow.title ?? messages.defaultActivity
  const prompt = fillTemplate(text(messages.resumeOffer), {
    ...draft.context,
    activity: text(activity),
  })

  const page = renderUssdPage({
    error: error === true ? text(messages.invalidChoice) : undefined,
    prompt,
    options: [
      { number: '1', label: text(messages.resumeContinue) },
      { number: '2', label: text(messages.resumeStartOver) },
    ],
    start: 0,
    moreLine: '',
    limit: screenLimit,
  })
  return { end: false, text: page.text }
}

export function readResumeChoice(input: string): ResumeChoice {
  const choice = input.trim()
  if (choice === '1') return 'continue'
  if (choice === '2') return 'start-over'
  return 'invalid'
}
