import type { RuleTest } from './compile-rule-test.ts'
import type { MessageFacts } from './message-facts.ts'
import type { Priority } from './queue-item.ts'
import type { CategorySpec, RulesFile, RulesText, TeamSpec } from './rule-schema.ts'

/** The destination of a rule: an automatic answer, a team's queue, or escalation. */
export type Destination =
  | { readonly kind: 'answer'; readonly text: RulesText; readonly flow?: string }
  | { readonly kind: 'queue'; readonly team: string }
  | { readonly kind: 'escalate'; readonly team: string }

/** A rule ready to evaluate; the default rule has no test. */
export interface CompiledRule {
  readonly id: string
  readonly test?: RuleTest
  readonly category: string
  readonly priority: Priority
  readonly destination: Destination
}

/** The outcome of the rules for one message: the first rule that matched, or the default. */
export interface Decision {
  readonly program: string
  readonly rule: string
  readonly category: string
  readonly priority: Priority
  readonly destination: Destination
}

/** The loaded rules of one program (one `<program>.rules.yaml`). */
export class ProgramRules {
  readonly program: string
  readonly languages: readonly string[]
  readonly defaultLanguage: string
  readonly timezone: string

  constructor(
    /** The file the rules were loaded from, as given to the loader. */
    readonly source: string,
    private readonly file: RulesFile,
    private readonly rules: readonly CompiledRule[],
    timezone: string,
  ) {
    this.program = file.program
    this.languages = file.languages
    this.defaultLanguage = file.defaultLanguage ?? file.languages[0] ?? 'en'
    this.timezone = timezone
  }

  get shortCodes(): readonly string[] {
    return this.file.shortCodes
  }

  /** Teams the rules send messages to, and the teams declared in the file. */
  get teams(): string[] {
    const named = this.rules.flatMap((rule) =>
      rule.destination.kind === 'answer' ? [] : [rule.destination.team],
    )
    return [...new Set([...Object.keys(this.file.teams), ...named])]
  }

  /** Evaluates the rules in file order; the first match wins, and the last rule is the default. */
  decide(facts: MessageFacts): Decision {
    // The loader guarantees a default rule at the end.
    return this.match(facts) ?? this.decision(this.rules.at(-1) as CompiledRule)
  }

  /** Finds the first rule other than the default that matches; undefined when none does. */
  match(facts: MessageFacts): Decision | undefined {
    const rule = this.rules.find((each) => each.test !== undefined && each.test(facts))
    return rule === undefined ? undefined : this.decision(rule)
  }

  private decision(chosen: CompiledRule): Decision {
    return {
      program: this.program,
      rule: chosen.id,
      category: chosen.category,
      priority: chosen.priority,
      destination: chosen.destination,
    }
  }

  category(id: string): CategorySpec {
    return this.file.categories[id] ?? {}
  }

  team(id: string): TeamSpec {
    return this.file.teams[id] ?? {}
  }

  /** Picks a language the program writes in: the preferred one if it has it, else its default. */
  languageFor(preferred: string | undefined): string {
    return preferred !== undefined && this.languages.includes(preferred)
      ? preferred
      : this.defaultLanguage
  }
}
