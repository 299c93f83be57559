import type { RuleBook } from './rule-book.ts'

/** Gives the rules in force now; a watcher swaps them when a rules file changes. */
export interface RuleBookSource {
  current(): RuleBook
}

/** A source whose rules never change, for tests and for running without a watcher. */
export function fixedRuleBook(book: RuleBook): RuleBookSource {
  return { current: () => book }
}
