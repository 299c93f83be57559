import type { BenchResults, CaseResult } from './benchmark.ts'
import type { CaseRun } from './measure-case.ts'
import type { ProfileShare } from './profile-summary.ts'
import { sameCase, type CaseSpec } from './plan-cases.ts'
import { spreadOf, type Spread } from './stats.ts'
import type { TargetName } from './targets.ts'

// The targets the design sets for a hop, checked at the end of every report.
const targets = {
  floorRatio: 0.6,
  peerRatio: 3,
  p99Ms: 10,
  sessionBytes: 1024,
  // A change of the median within this fraction is no growth. A larger one counts as growth only
  // when the run ranges do not overlap.
  growthTolerance: 0.05,
}

/** Renders the results as Markdown: tables of medians with their range, ratios and targets. */
export function formatReport(results: BenchResults): string {
  const { options, machine } = results
  const lines: string[] = []
  const baseline = options.stored[0] ?? 0
  const runs = options.runs === 1 ? '1 run' : `${options.runs} runs`

  lines.push(
    `# Switchboard USSD benchmark (${options.mode}: ${runs} of ${seconds(options.durationMs)} per case)`,
  )
  lines.push('')
  lines.push(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memory} memory, Node ${machine.node}, redis-server ${machine.redis}; load average ${machine.loadAverage.toFixed(2)} at start.`,
  )
  lines.push(
    'The load generator, the server under test and redis-server share these cores. Figures are medians of the runs with their range in brackets.',
  )
  if (options.nodeFlags.length > 0)
    lines.push(`Every server ran with node ${options.nodeFlags.join(' ')}.`)
  lines.push('')

  const closed = (target: TargetName, stored = baseline, subscribers = options.subscribers) =>
    findCase(results, { target, stored, subscribers, thinkMs: 0 })
  const paced = (target: TargetName, stored = baseline) =>
    findCase(results, {
      target,
      stored,
      subscribers: options.subscribers,
      thinkMs: options.thinkMs,
    })

  lines.push(
    `## Servers compared: ${options.subscribers} subscribers, closed loop, ${count(baseline)} stored sessions`,
  )
  lines.push('')
  lines.push(
    ...serverTable(['switchboard', 'floor', 'peer'].map((name) => closed(name as TargetName))),
  )
  lines.push('')
  const switchboardRate = medianOf(closed('switchboard'), 'hopsPerSecond')
  const floorRatio = switchboardRate / medianOf(closed('floor'), 'hopsPerSecond')
  const peerRatio = switchboardRate / medianOf(closed('peer'), 'hopsPerSecond')
  lines.push(
    `ratio switchboard/floor hops/s: ${floorRatio.toFixed(2)} (target >= ${targets.floorRatio}: ${verdict(floorRatio >= targets.floorRatio)})`,
  )
  lines.push(
    `ratio switchboard/peer hops/s: ${peerRatio.toFixed(2)} (target >= ${targets.peerRatio}: ${verdict(peerRatio >= targets.peerRatio)})`,
  )
  // CPU per hop depends less on how the shared cores were split than hops per second does.
  const switchboardCpu = medianOf(closed('switchboard'), 'serverCpuUsPerHop')
  for (const name of ['floor', 'peer'] as const) {
    const cpu = medianOf(closed(name), 'serverCpuUsPerHop')
    lines.push(
      `ratio switchboard/${name} server CPU per hop: ${(switchboardCpu / cpu).toFixed(2)} (${Math.round(switchboardCpu)} µs against ${Math.round(cpu)} µs)`,
    )
  }
  lines.push('')

  lines.push(
    `## Paced: ${options.subscribers} subscribers, each pausing ${options.thinkMs} ms on average (uniform ${options.thinkMs / 2}–${(options.thinkMs * 3) / 2} ms) before each hop`,
  )
  lines.push('')
  lines.push(
    ...serverTable(['switchboard', 'floor', 'peer'].map((name) => paced(name as TargetName))),
  )
  lines.push('')
  const pacedP99 = medianOf(paced('switchboard'), 'p99')
  lines.push(
    `p99 hop latency of switchboard, ${options.subscribers} paced subscribers: ${pacedP99.toFixed(2)} ms (target <= ${targets.p99Ms} ms: ${verdict(pacedP99 <= targets.p99Ms)})`,
  )
  lines.push(
    `p99 hop latency of switchboard, ${options.subscribers} closed-loop subscribers: ${medianOf(closed('switchboard'), 'p99').toFixed(2)} ms (queueing: each subscriber sends its next hop at once)`,
  )
  lines.push('')

  lines.push(...memorySection(results))
  lines.push(...growthSection(results, closed, paced))
  lines.push(
    'outbox: not measured yet (the benchmark flow sends no SMS, so no hop writes to the outbox).',
  )
  if (results.profile !== undefined) lines.push('', ...profileSection(results))
  return lines.join('\n')
}

function serverTable(cases: readonly (CaseResult | undefined)[]): string[] {
  const rows = cases.map((result) => {
    if (result === undefined) return '| (not measured) |'
    return `| ${result.spec.target} | ${runRow(result.runs)} |`
  })
  return [
    '| server | hops | hops/s | p50 ms | p99 ms | p99.9 ms | server CPU µs/hop | Redis CPU µs/hop | client CPU µs/hop | server RSS MB | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ]
}

function runRow(runs: readonly CaseRun[]): string {
  const total = runs.reduce((sum, run) => sum + run.hops, 0)
  const errors = runs.reduce((sum, run) => sum + run.errors, 0)
  const firstError = runs.find((run) => run.firstError !== undefined)?.firstError
  return [
    count(total),
    spread(runs, 'hopsPerSecond', 0),
    spread(runs, 'p50', 2),
    spread(runs, 'p99', 2),
    spread(runs, 'p999', 2),
    spread(runs, 'serverCpuUsPerHop', 0),
    spread(runs, 'redisCpuUsPerHop', 0),
    spread(runs, 'clientCpuUsPerHop', 0),
    formatSpread(spreadOf(runs.map((run) => run.serverRssBytes / 2 ** 20)), 0),
    firstError === undefined
      ? String(errors)
      : `${errors} (first: ${firstError.replaceAll('|', '/')})`,
  ].join(' | ')
}

function memorySection(results: BenchResults): string[] {
  const lines = [
    `## Redis memory per live session (MEMORY USAGE after the 4th hop, median of ${results.options.memorySample})`,
    '',
    '| server | bytes per session | keys per session |',
    '| --- | ---: | ---: |',
  ]
  for (const [name, memory] of Object.entries(results.sessionMemory)) {
    lines.push(
      `| ${name} | ${Math.round(memory.medianBytes)} | ${memory.keysPerSession.toFixed(1)} |`,
    )
  }
  const bytes = results.sessionMemory.switchboard.medianBytes
  lines.push('')
  lines.push(
    `Redis memory per live switchboard session: ${Math.round(bytes)} B (target <= ${targets.sessionBytes} B: ${verdict(bytes <= targets.sessionBytes)})`,
  )
  for (const step of results.seeding) {
    const perSession = Number.isNaN(step.bytesPerSession)
      ? 'n/a'
      : `${Math.round(step.bytesPerSession)} B of used_memory each`
    lines.push(
      `seeded up to ${count(step.stored)} idle sessions in ${step.seconds.toFixed(1)} s, ${perSession}`,
    )
  }
  lines.push('')
  return lines
}

type CaseLookup = (
  target: TargetName,
  stored?: number,
  subscribers?: number,
) => CaseResult | undefined

function growthSection(
  results: BenchResults,
  closed: CaseLookup,
  paced: (target: TargetName, stored?: number) => CaseResult | undefined,
): string[] {
  const { options } = results
  const lines = [
    '## Growth: switchboard with idle sessions stored in Redis',
    '',
    '| stored sessions | subscribers | pause ms | hops | hops/s | p50 ms | p99 ms | p99.9 ms | server CPU µs/hop | Redis CPU µs/hop | client CPU µs/hop | server RSS MB | errors |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  const concurrency = [...new Set([...options.concurrency, options.subscribers])].sort(
    (a, b) => a - b,
  )
  for (const stored of options.stored) {
    for (const subscribers of concurrency) {
      const result = closed('switchboard', stored, subscribers)
      if (result) lines.push(`| ${count(stored)} | ${subscribers} | 0 | ${runRow(result.runs)} |`)
    }
    const pacedResult = paced('switchboard', stored)
    if (pacedResult)
      lines.push(
        `| ${count(stored)} | ${options.subscribers} | ${options.thinkMs} | ${runRow(pacedResult.runs)} |`,
      )
  }
  lines.push('')

  const first = options.stored[0]!
  const last = options.stored.at(-1)!
  if (first !== last) {
    lines.push(
      growthLine(
        'p50',
        paced('switchboard', first),
        paced('switchboard', last),
        first,
        last,
        options.runs,
      ),
    )
    lines.push(
      growthLine(
        'p99',
        paced('switchboard', first),
        paced('switchboard', last),
        first,
        last,
        options.runs,
      ),
    )
    const before = closed('switchboard', first)
    const after = closed('switchboard', last)
    // CPU per hop shows whether a hop does more work with more stored sessions, and is less
    // disturbed by other load on the machine than latency is.
    const measures: [keyof CaseRun, string][] = [
      ['hopsPerSecond', 'hops/s'],
      ['serverCpuUsPerHop', 'server CPU µs/hop'],
      ['redisCpuUsPerHop', 'Redis CPU µs/hop'],
    ]
    for (const [key, label] of measures) {
      const from = medianOf(before, key)
      const to = medianOf(after, key)
      lines.push(
        `switchboard ${label} from ${count(first)} to ${count(last)} stored sessions (closed loop, ${options.subscribers} subscribers): ${Math.round(from)} to ${Math.round(to)}, ${percent(to / from - 1)}`,
      )
    }
    lines.push('')
  }
  return lines
}

function growthLine(
  key: 'p50' | 'p99',
  before: CaseResult | undefined,
  after: CaseResult | undefined,
  first: number,
  last: number,
  runs: number,
): string {
  const a = spreadOf(before?.runs.map((run) => run[key]) ?? [])
  const b = spreadOf(after?.runs.map((run) => run[key]) ?? [])
  const change = b.median / a.median - 1
  const range = `${formatSpread(a, 2)} ms to ${formatSpread(b, 2)} ms`
  return `growth of switchboard paced ${key} from ${count(first)} to ${count(last)} stored sessions: ${percent(change)}, ${range} (target: no measurable growth: ${growthVerdict(a, b, change, runs)})`
}

function growthVerdict(before: Spread, after: Spread, change: number, runs: number): string {
  if (runs < 3) return 'not judged, fewer than 3 runs give no spread'
  if (change <= targets.growthTolerance) return 'met'
  if (after.min > before.max) return 'missed'
  return 'not judged, the runs vary more than the change'
}

function profileSection(results: BenchResults): string[] {
  const profile = results.profile!
  const table = (shares: readonly ProfileShare[], count: number) =>
    shares
      .slice(0, count)
      .map((share) => `| ${share.name.replaceAll('|', '/')} | ${(share.share * 100).toFixed(1)}% |`)
  return [
    `## Where the Switchboard process spends its CPU (${results.profilePath})`,
    '',
    `Busy ${Math.round(profile.busyMs)} ms of samples over the whole run, start-up included, by the part of the hop on the stack:`,
    '',
    '| part | share |',
    '| --- | ---: |',
    ...table(profile.byStage, 20),
    '',
    '| function (self time) | share |',
    '| --- | ---: |',
    ...table(profile.byFunction, 25),
    '',
  ]
}

function findCase(results: BenchResults, spec: CaseSpec): CaseResult | undefined {
  return results.cases.find((result) => sameCase(result.spec, spec))
}

function medianOf(result: CaseResult | undefined, key: keyof CaseRun): number {
  return spreadOf(result?.runs.map((run) => run[key] as number) ?? []).median
}

function spread(runs: readonly CaseRun[], key: keyof CaseRun, digits: number): string {
  return formatSpread(spreadOf(runs.map((run) => run[key] as number)), digits)
}

function formatSpread(value: Spread, digits: number): string {
  const format = (n: number) =>
    n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  if (value.count === 0 || Number.isNaN(value.median)) return 'n/a'
  if (value.count === 1) return format(value.median)
  return `${format(value.median)} (${format(value.min)}–${format(value.max)})`
}

function verdict(met: boolean): string {
  return met ? 'met' : 'missed'
}

function count(n: number): string {
  return n.toLocaleString('en')
}

function seconds(ms: number): string {
  return `${ms / 1000} s`
}

function percent(change: number): string {
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`
}
