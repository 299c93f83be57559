import { matchAnswer, type Choice, type MatchAnswerOptions } from './match-answer.ts'

/** The fields of an open question that `chooseQuestion` reads. `OpenQuestion` extends it. */
export interface QuestionToMatch {
  readonly id: string
  /** The session that asked it. A newer question of the same session replaces an older one. */
  readonly sessionKey: string
  readonly expects: readonly Choice[]
  /** Milliseconds since the epoch. */
  readonly askedAt: number
  readonly expiresAt: number
}

export type QuestionMatch<Question> =
  | { readonly kind: 'match'; readonly question: Question; readonly id: string }
  /** A typo of a choice word of the newest question that has one; ask before acting. */
  | { readonly kind: 'near-miss'; readonly question: Question; readonly id: string }
  /** The reply is valid for every listed question (newest first); ask which one it answers. */
  | { readonly kind: 'ambiguous'; readonly questions: readonly Question[] }
  | { readonly kind: 'no-match' }

/**
 * Finds the open question that a reply answers, among all those waiting for one subscriber.
 *
 * Questions that expired at `now` are skipped, and of several questions from one session only
 * the newest counts. When exactly one question accepts the reply, that question gets it, however
 * old. When two or more accept it (`1` to two numbered lists, `YES` to two confirmations), the
 * reply is ambiguous, whatever their age: applying it to the newest could confirm the wrong
 * payment. With no match, the newest question with a near-miss gets the near-miss.
 */
export function chooseQuestion<Question extends QuestionToMatch>(
  questions: readonly Question[],
  text: string,
  options: MatchAnswerOptions & { readonly now: number },
): QuestionMatch<Question> {
  const open = newestPerSession(questions.filter((question) => question.expiresAt > options.now))
  const results = open.map((question) => ({
    question,
    answer: matchAnswer(question.expects, text, options),
  }))

  const matches = results.filter((result) => result.answer.kind === 'match')
  if (matches.length > 1) return { kind: 'ambiguous', questions: matches.map((m) => m.question) }

  const [match] = matches
  if (match?.answer.kind === 'match') {
    return { kind: 'match', question: match.question, id: match.answer.id }
  }

  const near = results.find((result) => result.answer.kind === 'near-miss')
  if (near?.answer.kind === 'near-miss') {
    return { kind: 'near-miss', question: near.question, id: near.answer.id }
  }
  return { kind: 'no-match' }
}

/** Sorts newest first and keeps one question per session. */
function newestPerSession<Question extends QuestionToMatch>(
  questions: readonly Question[],
): Question[] {
  const newestFirst = [...questions].sort((a, b) => b.askedAt - a.askedAt)
  const sessions = new Set<string>()

  return newestFirst.filter((question) => {
    if (sessions.has(question.sessionKey)) return false
    sessions.add(question.sessionKey)
    return true
  })
}
