import { parseArgs } from 'node:util'

export interface BenchOptions {
  readonly mode: 'smoke' | 'quick' | 'full'
  /** Measured runs of every case. The report gives their median and range. */
  readonly runs: number
  readonly durationMs: number
  /** Unmeasured load on each server before the first case, so the JIT has compiled the hop. */
  readonly warmupMs: number
  /** Subscribers of the comparison cases and of the paced latency case. */
  readonly subscribers: number
  /** Mean pause of a paced subscriber before each hop, in milliseconds. */
  readonly thinkMs: number
  /** Idle sessions stored in Redis, one growth step each. The comparison runs at the first. */
  readonly stored: readonly number[]
  /** Closed-loop subscribers of the growth cases. */
  readonly concurrency: readonly number[]
  /** Sessions sampled for Redis memory per live session. */
  readonly memorySample: number
  /** Writes a CPU profile of the Switchboard process to bench/profiles/. */
  readonly profile: boolean
  /** Extra `node` flags for every server process, such as `--max-semi-space-size=64`. */
  readonly nodeFlags: readonly string[]
  /** File to write every measurement to, as JSON. */
  readonly json: string | undefined
}

const presets: Record<
  BenchOptions['mode'],
  Omit<BenchOptions, 'profile' | 'json' | 'nodeFlags'>
> = {
  smoke: {
    mode: 'smoke',
    runs: 1,
    durationMs: 1000,
    warmupMs: 300,
    subscribers: 10,
    thinkMs: 20,
    stored: [1000],
    concurrency: [10],
    memorySample: 11,
  },
  quick: {
    mode: 'quick',
    runs: 1,
    durationMs: 3000,
    warmupMs: 2000,
    subscribers: 200,
    thinkMs: 100,
    stored: [10_000, 100_000, 1_000_000],
    concurrency: [10, 100, 1000],
    memorySample: 101,
  },
  full: {
    mode: 'full',
    runs: 5,
    durationMs: 6000,
    warmupMs: 4000,
    subscribers: 200,
    thinkMs: 100,
    stored: [10_000, 100_000, 1_000_000],
    concurrency: [10, 100, 1000],
    memorySample: 101,
  },
}

export const usage = `Usage: npm run bench -- [--smoke | --quick] [options]

Measures Switchboard's USSD hops against a floor (Hono, one GET and one SET per hop) and a
peer (ussd-menu-builder on Express), each in its own process, with a private redis-server.

  --smoke             one short run per case with small counts (a few seconds; used by the tests)
  --quick             one run per case of 3 s
  (neither)           full run: 5 runs per case of 6 s, medians with their range
  --runs N            measured runs per case
  --duration S        seconds of load per run
  --warmup S          seconds of unmeasured load on each server first
  --subscribers N     subscribers of the comparison and paced cases (full: 200)
  --think-ms MS       mean pause before each hop of a paced subscriber (full: 100)
  --stored A,B,C      idle sessions stored in Redis for each growth step
  --concurrency A,B   closed-loop subscribers of the growth cases
  --profile           CPU-profile the Switchboard process and print where its time goes
  --node-flags FLAGS  extra node flags for every server, such as --node-flags=--max-semi-space-size=64
  --json FILE         also write every measurement to FILE as JSON
  --help              print this text`

/** Reads the command line: a preset (`--smoke`, `--quick` or the full run) and overrides. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean' },
      quick: { type: 'boolean' },
      runs: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      subscribers: { type: 'string' },
      'think-ms': { type: 'string' },
      stored: { type: 'string' },
      concurrency: { type: 'string' },
      profile: { type: 'boolean' },
      'node-flags': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) return 'help'
  if (values.smoke && values.quick) throw new Error('Choose one of --smoke and --quick.')

  let mode: BenchOptions['mode'] = 'full'
  if (values.smoke) mode = 'smoke'
  if (values.quick) mode = 'quick'
  const preset = presets[mode]
  return {
    ...preset,
    runs: integerOption('--runs', values.runs, 1) ?? preset.runs,
    durationMs: secondsOption('--duration', values.duration) ?? preset.durationMs,
    warmupMs: secondsOption('--warmup', values.warmup, 0) ?? preset.warmupMs,
    subscribers: integerOption('--subscribers', values.subscribers, 1) ?? preset.subscribers,
    thinkMs: integerOption('--think-ms', values['think-ms'], 0) ?? preset.thinkMs,
    stored: listOption('--stored', values.stored, 0) ?? preset.stored,
    concurrency: listOption('--concurrency', values.concurrency, 1) ?? preset.concurrency,
    profile: values.profile ?? false,
    nodeFlags: (values['node-flags'] ?? '').split(' ').filter((flag) => flag !== ''),
    json: values.json,
  }
}

function integerOption(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw.replaceAll('_', ''))
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}; got "${raw}".`)
  }
  return value
}

function secondsOption(name: string, raw: string | undefined, min = 0.1): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a number of seconds of at least ${min}; got "${raw}".`)
  }
  return Math.round(value * 1000)
}

function listOption(name: string, raw: string | undefined, min: number): number[] | undefined {
  if (raw === undefined) return undefined
  const values = raw.split(',').map((part) => integerOption(name, part.trim(), min)!)
  return [...values].sort((a, b) => a - b)
}
