import type { BenchOptions } from './options.ts'
import type { TargetName } from './targets.ts'

/** One load case: a server, the idle sessions stored beside it, and how it is driven. */
export interface CaseSpec {
  readonly target: TargetName
  readonly stored: number
  readonly subscribers: number
  /** Mean pause before each hop. 0 is a closed loop: the next hop goes out on each reply. */
  readonly thinkMs: number
}

/**
 * Lists the cases of each stored-session step. The first step compares the three servers,
 * closed loop and paced. Every step measures Switchboard at each growth concurrency.
 */
export function planCases(options: BenchOptions): CaseSpec[][] {
  return options.stored.map((stored, step) => {
    const cases: CaseSpec[] = []
    const names: TargetName[] = step === 0 ? ['switchboard', 'floor', 'peer'] : ['switchboard']
    for (const target of names) {
      cases.push({ target, stored, subscribers: options.subscribers, thinkMs: 0 })
      cases.push({ target, stored, subscribers: options.subscribers, thinkMs: options.thinkMs })
    }
    for (const subscribers of options.concurrency) {
      if (subscribers === options.subscribers) continue
      cases.push({ target: 'switchboard', stored, subscribers, thinkMs: 0 })
    }
    return cases
  })
}

export function sameCase(a: CaseSpec, b: CaseSpec): boolean {
  return (
    a.target === b.target &&
    a.stored === b.stored &&
    a.subscribers === b.subscribers &&
    a.thinkMs === b.thinkMs
  )
}
