/** Upper bounds of the time-to-claim and time-to-resolve buckets, in seconds: 1 min to 7 days. */
export const durationBuckets = [60, 300, 900, 1800, 3600, 14_400, 43_200, 86_400, 172_800, 604_800]

type Labels = Readonly<Record<string, string>>

interface Histogram {
  readonly labels: Labels
  readonly counts: number[]
  sum: number
  count: number
}

/** Queue depth of one team at the time of a scrape. */
export interface TeamDepth {
  readonly team: string
  readonly queued: number
  readonly claimed: number
}

/**
 * Routing counters and histograms of this process, rendered in the Prometheus text format.
 * Queue depth is read from the store at each scrape, so it covers every process; the counters
 * and histograms cover only the process that serves the scrape.
 */
export class RoutingMetrics {
  private readonly routedCounts = new Map<string, { labels: Labels; value: number }>()
  private readonly escalationCounts = new Map<string, { labels: Labels; value: number }>()
  private readonly claimTimes = new Map<string, Histogram>()
  private readonly resolveTimes = new Map<string, Histogram>()

  /** Counts a routed message; `team` is empty for an automatic answer. */
  routed(labels: { program: string; category: string; destination: string; team: string }): void {
    increment(this.routedCounts, labels)
  }

  escalated(team: string, reason: 'rule' | 'unclaimed'): void {
    increment(this.escalationCounts, { team, reason })
  }

  /** Records the seconds from a message's arrival to its first claim. */
  claimed(team: string, category: string, seconds: number): void {
    observe(this.claimTimes, { team, category }, seconds)
  }

  /** Records the seconds from a message's arrival to its resolution. */
  resolved(team: string, category: string, seconds: number): void {
    observe(this.resolveTimes, { team, category }, seconds)
  }

  render(depths: readonly TeamDepth[]): string {
    return [
      ...counter(
        'switchboard_routed_messages_total',
        'Messages decided by the routing rules, by program, category, destination and team.',
        this.routedCounts,
      ),
      ...counter(
        'switchboard_routing_escalations_total',
        'Items escalated to on-call staff, by team and reason (rule or unclaimed).',
        this.escalationCounts,
      ),
      ...histogram(
        'switchboard_routing_time_to_claim_seconds',
        'Seconds from a message arriving to its first claim by an agent.',
        this.claimTimes,
      ),
      ...histogram(
        'switchboard_routing_time_to_resolve_seconds',
        'Seconds from a message arriving to its resolution.',
        this.resolveTimes,
      ),
      '# HELP switchboard_routing_queue_depth Items per team waiting (queued) or held by an agent (claimed).',
      '# TYPE switchboard_routing_queue_depth gauge',
      ...depths.flatMap((depth) => [
        `switchboard_routing_queue_depth${formatLabels({ team: depth.team, status: 'queued' })} ${depth.queued}`,
        `switchboard_routing_queue_depth${formatLabels({ team: depth.team, status: 'claimed' })} ${depth.claimed}`,
      ]),
      '',
    ].join('\n')
  }
}

function increment(series: Map<string, { labels: Labels; value: number }>, labels: Labels): void {
  const key = formatLabels(labels)
  const entry = series.get(key) ?? { labels, value: 0 }
  entry.value += 1
  series.set(key, entry)
}

function observe(series: Map<string, Histogram>, labels: Labels, value: number): void {
  const key = formatLabels(labels)
  let entry = series.get(key)
  if (entry === undefined) {
    entry = { labels, counts: durationBuckets.map(() => 0), sum: 0, count: 0 }
    series.set(key, entry)
  }
  durationBuckets.forEach((bound, index) => {
    if (value <= bound && entry.counts[index] !== undefined) entry.counts[index] += 1
  })
  entry.sum += value
  entry.count += 1
}

function counter(
  name: string,
  help: string,
  series: Map<string, { labels: Labels; value: number }>,
): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} counter`,
    ...[...series.values()].map((entry) => `${name}${formatLabels(entry.labels)} ${entry.value}`),
  ]
}

function histogram(name: string, help: string, series: Map<string, Histogram>): string[] {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`]
  for (const entry of series.values()) {
    durationBuckets.forEach((bound, index) => {
      const labels = formatLabels({ ...entry.labels, le: String(bound) })
      lines.push(`${name}_bucket${labels} ${entry.counts[index] ?? 0}`)
    })
    lines.push(`${name}_bucket${formatLabels({ ...entry.labels, le: '+Inf' })} ${entry.count}`)
    lines.push(`${name}_sum${formatLabels(entry.labels)} ${entry.sum}`)
    lines.push(`${name}_count${formatLabels(entry.labels)} ${entry.count}`)
  }
  return lines
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`)
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`
}

// The text format escapes backslash, double quote and line feed in label values.
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}
