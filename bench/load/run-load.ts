import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'
import { LatencyRecorder, type LatencySummary } from './latency-recorder.ts'
import { postHop } from './post-hop.ts'
import { hopForm, hopsPerWalk, walkTexts, type SubscriberIds } from './subscriber-walk.ts'

export interface LoadOptions {
  readonly baseUrl: string
  readonly path: string
  /** Simulated subscribers walking the flow at the same time, one connection each. */
  readonly subscribers: number
  readonly durationMs: number
  /**
   * Mean pause in milliseconds before each hop, drawn uniformly from half to one and a half
   * times this value. 0 sends the next hop as soon as the reply arrives (closed loop).
   */
  readonly thinkMs: number
  readonly ids: SubscriberIds
  /** Start every reply must have, by hop: `CON ` until the last hop, which ends the session. */
  readonly expectedPrefixes: readonly string[]
}

export interface LoadResult {
  /** Hops that got HTTP 200 and the expected `CON `/`END ` reply. */
  readonly hops: number
  readonly elapsedMs: number
  readonly hopsPerSecond: number
  readonly latency: LatencySummary
  readonly errors: number
  readonly firstError: string | undefined
  /** Every session id the load used, so its keys can be inspected and removed afterwards. */
  readonly sessionIds: readonly string[]
  /** CPU time of this process (the load generator) during the run. */
  readonly clientCpuMs: number
}

// The aggregator gives up on a hop after about 10 s, so a later reply counts as a failure.
const hopTimeoutMs = 10_000

/**
 * Drives `subscribers` simulated subscribers for `durationMs`: each walks the five-hop flow
 * with a fresh session id, hop after hop, then starts again. A failed hop abandons that walk.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.baseUrl, {
    connections: options.subscribers,
    pipelining: 1,
    headersTimeout: hopTimeoutMs,
    bodyTimeout: hopTimeoutMs,
  })
  const run: RunState = {
    latencies: new LatencyRecorder(),
    sessionIds: [],
    errors: 0,
    firstError: undefined,
    lastReplyAt: 0,
  }

  await openConnections(pool, options.subscribers)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const deadline = started + options.durationMs
  const subscribers = Array.from({ length: options.subscribers }, () =>
    walkUntil(deadline, pool, options, run),
  )
  await Promise.all(subscribers)
  const cpu = process.cpuUsage(cpuBefore)
  await pool.close()

  const elapsedMs = Math.max(deadline, run.lastReplyAt) - started
  return {
    hops: run.latencies.count,
    elapsedMs,
    hopsPerSecond: (run.latencies.count * 1000) / elapsedMs,
    latency: run.latencies.summary(),
    errors: run.errors,
    firstError: run.firstError,
    sessionIds: run.sessionIds,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  }
}

// New connections are opened this many at a time: a thousand at once overflow the listen
// backlog (511 in Node), and a dropped SYN is retried after a second, which would be measured
// as hop latency.
const connectionsPerWave = 100

/** Opens `count` keep-alive connections with `GET /healthz` before the clock starts. */
async function openConnections(pool: Pool, count: number): Promise<void> {
  for (let open = 0; open < count; open += connectionsPerWave) {
    const concurrent = Math.min(count, open + connectionsPerWave)
    const probes = Array.from({ length: concurrent }, async () => {
      const response = await pool.request({ path: '/healthz', method: 'GET' })
      await response.body.dump()
    })
    await Promise.all(probes)
  }
}

interface RunState {
  readonly latencies: LatencyRecorder
  readonly sessionIds: string[]
  errors: number
  firstError: string | undefined
  lastReplyAt: number
}

async function walkUntil(
  deadline: number,
  pool: Pool,
  options: LoadOptions,
  run: RunState,
): Promise<void> {
  while (performance.now() < deadline) {
    const { sessionId, phoneNumber } = options.ids.take()
    run.sessionIds.push(sessionId)

    for (let hop = 0; hop < hopsPerWalk; hop += 1) {
      if (options.thinkMs > 0) await sleep(options.thinkMs * (0.5 + Math.random()))
      if (performance.now() >= deadline) return

      const form = hopForm(sessionId, phoneNumber, walkTexts[hop]!)
      const answered = await sendHop(pool, options, form, hop, run)
      if (!answered) break
    }
  }
}

async function sendHop(
  pool: Pool,
  options: LoadOptions,
  form: string,
  hop: number,
  run: RunState,
): Promise<boolean> {
  const sent = performance.now()
  try {
    const { status, reply } = await postHop(pool, options.path, form)
    const received = performance.now()
    run.lastReplyAt = Math.max(run.lastReplyAt, received)

    const expected = options.expectedPrefixes[hop] ?? 'CON '
    if (status !== 200 || !reply.startsWith(expected)) {
      recordError(run, `hop ${hop + 1}: HTTP ${status} ${JSON.stringify(reply.slice(0, 80))}`)
      return false
    }
    run.latencies.record(received - sent)
    return true
  } catch (error) {
    recordError(run, `hop ${hop + 1}: ${(error as Error).message}`)
    return false
  }
}

function recordError(run: RunState, message: string): void {
  run.errors += 1
  run.firstError ??= message
}
