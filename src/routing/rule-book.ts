import type { MessageFacts } from './message-facts.ts'
import type { Decision, ProgramRules } from './program-rules.ts'

/** Raised for a message sent to a short code that no rules file lists. */
export class NoRulesError extends Error {
  override readonly name = 'NoRulesError'
}

/**
 * Every program's rules, found by the short code a message was sent to. A short code listed in
 * several files is shared: their rules are tried file by file in file-name order, and the default
 * rule of the first of them takes what none matched.
 */
export class RuleBook {
  private readonly byShortCode = new Map<string, ProgramRules[]>()

  constructor(readonly programs: readonly ProgramRules[]) {
    for (const program of programs) {
      for (const shortCode of program.shortCodes) {
        this.byShortCode.set(shortCode, [...(this.byShortCode.get(shortCode) ?? []), program])
      }
    }
  }

  /** Decides a message sent to `to`; raises NoRulesError when no file lists it. */
  decide(to: string, facts: MessageFacts): { program: ProgramRules; decision: Decision } {
    const programs = this.programsFor(to)
    for (const program of programs) {
      const decision = program.match(facts)
      if (decision !== undefined) return { program, decision }
    }
    const first = programs[0] as ProgramRules
    return { program: first, decision: first.decide(facts) }
  }

  lists(to: string): boolean {
    return this.byShortCode.has(to)
  }

  /** Lists the programs whose rules files list `to`, in file-name order. */
  programsFor(to: string): readonly ProgramRules[] {
    const programs = this.byShortCode.get(to)
    if (programs !== undefined) return programs
    const known = [...this.byShortCode.keys()].join(', ')
    throw new NoRulesError(
      `No rules file lists short code "${to}". Add it to shortCodes in a machines/*.rules.yaml ` +
        `file (listed now: ${known === '' ? 'none' : known}).`,
    )
  }

  program(id: string): ProgramRules | undefined {
    return this.programs.find((program) => program.program === id)
  }

  /** Lists every team any rules file names. */
  teams(): string[] {
    return [...new Set(this.programs.flatMap((program) => program.teams))].sort()
  }
}
