import { percentile } from '../stats.ts'

/** Hop latencies in milliseconds, kept whole so percentiles are exact rather than bucketed. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16)
  private length = 0

  record(milliseconds: number): void {
    if (this.length === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2)
      grown.set(this.samples)
      this.samples = grown
    }
    this.samples[this.length] = milliseconds
    this.length += 1
  }

  get count(): number {
    return this.length
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.length).sort()
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
    }
  }
}

export interface LatencySummary {
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly max: number
}
