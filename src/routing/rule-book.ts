import type { ProgramRules } from './program-rules.ts'
import { RulesFileError } from './rules-file-error.ts'

/** Raised for a message sent to a short code that no rules file lists. */
export class NoRulesError extends Error {
  override readonly name = 'NoRulesError'
}

/** Every program's rules, found by the short code a message was sent to. */
export class RuleBook {
  private readonly byShortCode = new Map<string, ProgramRules>()

  /** Raises a RulesFileError when two files list the same short code. */
  constructor(readonly programs: readonly ProgramRules[]) {
    for (const program of programs) {
      for (const shortCode of program.shortCodes) {
        const owner = this.byShortCode.get(shortCode)
        if (owner !== undefined) {
          throw new RulesFileError(
            program.source,
            'shortCodes',
            `"${shortCode}" is already used by ${owner.source}. Each short code belongs to one ` +
              'rules file; remove it from one of them.',
          )
        }
        this.byShortCode.set(shortCode, program)
      }
    }
  }

  /** The rules for messages sent to `to`; raises NoRulesError when no file lists it. */
  programFor(to: string): ProgramRules {
    const program = this.byShortCode.get(to)
    if (program !== undefined) return program
    const known = [...this.byShortCode.keys()].join(', ')
    throw new NoRulesError(
      `No rules file lists short code "${to}". Add it to shortCodes in a machines/*.rules.yaml ` +
        `file (listed now: ${known === '' ? 'none' : known}).`,
    )
  }

  program(id: string): ProgramRules | undefined {
    return this.programs.find((program) => program.program === id)
  }

  /** Every team any rules file names. */
  teams(): string[] {
    return [...new Set(this.programs.flatMap((program) => program.teams))].sort()
  }
}
