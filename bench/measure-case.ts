import type { Redis } from 'ioredis'
import { runLoad } from './load/run-load.ts'
import type { SubscriberIds } from './load/subscriber-walk.ts'
import type { CaseSpec } from './plan-cases.ts'
import { processCpuMs, processRssBytes } from './process-stats.ts'
import { removeSessions } from './redis-sessions.ts'
import type { ServerProcess } from './server-process.ts'
import type { BenchTarget } from './targets.ts'

/** Measurements of one run of one case. Times in milliseconds unless the name says otherwise. */
export interface CaseRun {
  readonly hops: number
  readonly hopsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly errors: number
  readonly firstError: string | undefined
  /** CPU time (user plus system) per successful hop, in microseconds. */
  readonly serverCpuUsPerHop: number
  readonly redisCpuUsPerHop: number
  readonly clientCpuUsPerHop: number
  /** Resident memory of the server process right after the run. */
  readonly serverRssBytes: number
}

export interface CaseContext {
  readonly target: BenchTarget
  readonly server: ServerProcess
  readonly redis: Redis
  readonly redisPid: number
  readonly ids: SubscriberIds
  readonly durationMs: number
}

/** Runs one case once, then removes the sessions it created so the stored count stays exact. */
export async function measureCase(spec: CaseSpec, context: CaseContext): Promise<CaseRun> {
  const { server, target } = context
  const serverCpuBefore = await processCpuMs(server.pid)
  const redisCpuBefore = await processCpuMs(context.redisPid)

  const load = await runLoad({
    baseUrl: server.baseUrl,
    path: '/africastalking/ussd',
    subscribers: spec.subscribers,
    durationMs: context.durationMs,
    thinkMs: spec.thinkMs,
    ids: context.ids,
    expectedPrefixes: target.expectedPrefixes,
  })

  const serverCpuMs = (await processCpuMs(server.pid)) - serverCpuBefore
  const redisCpuMs = (await processCpuMs(context.redisPid)) - redisCpuBefore
  const serverRssBytes = await processRssBytes(server.pid)
  await removeSessions(context.redis, target, load.sessionIds)

  const perHop = (ms: number) => (load.hops === 0 ? Number.NaN : (ms * 1000) / load.hops)
  return {
    hops: load.hops,
    hopsPerSecond: load.hopsPerSecond,
    p50: load.latency.p50,
    p99: load.latency.p99,
    p999: load.latency.p999,
    errors: load.errors,
    firstError: load.firstError,
    serverCpuUsPerHop: perHop(serverCpuMs),
    redisCpuUsPerHop: perHop(redisCpuMs),
    clientCpuUsPerHop: perHop(load.clientCpuMs),
    serverRssBytes,
  }
}
