import { randomBytes } from 'node:crypto'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { checkFlows, serverOf } from './check-flows.ts'
import { runLoad } from './load/run-load.ts'
import { SubscriberIds } from './load/subscriber-walk.ts'
import { walkSessions } from './load/walk-sessions.ts'
import { describeMachine, type MachineFacts } from './machine.ts'
import { measureCase, type CaseRun } from './measure-case.ts'
import type { BenchOptions } from './options.ts'
import { planCases, type CaseSpec } from './plan-cases.ts'
import { summarizeProfile, type ProfileSummary } from './profile-summary.ts'
import { startRedisServer, type RedisServer } from './redis-server.ts'
import { removeSessions, sessionMemoryBytes, usedMemoryBytes } from './redis-sessions.ts'
import { seedIdleSessions, type SessionTemplate } from './seed-sessions.ts'
import { repositoryRoot, startServerProcess, type ServerProcess } from './server-process.ts'
import { targets, type BenchTarget, type TargetName } from './targets.ts'

export interface BenchResults {
  readonly options: BenchOptions
  readonly machine: MachineFacts
  /** Redis memory of one live session (after the fourth hop) per server. */
  readonly sessionMemory: Record<TargetName, { medianBytes: number; keysPerSession: number }>
  readonly seeding: readonly SeedStep[]
  readonly cases: readonly CaseResult[]
  readonly profile: ProfileSummary | undefined
  readonly profilePath: string | undefined
}

export interface SeedStep {
  readonly stored: number
  readonly seconds: number
  /** Growth of Redis `used_memory` per seeded session, key overhead and expiry included. */
  readonly bytesPerSession: number
}

export interface CaseResult {
  readonly spec: CaseSpec
  readonly runs: readonly CaseRun[]
}

// Seeded sessions must outlive the whole run, while Switchboard's own expire after 240 s.
const seededTtlSeconds = 6 * 60 * 60

/** Runs every case of `options` against fresh servers and a private redis-server. */
export async function runBenchmark(
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<BenchResults> {
  const machine = await describeMachine()
  const redisServer = await startRedisServer()
  const redis = new Redis(redisServer.url)
  const profileDirectory = options.profile ? await profileDirectoryFor() : undefined
  const servers = new Map<TargetName, ServerProcess>()

  try {
    progress(`redis-server ${machine.redis} on ${redisServer.url}; starting the servers`)
    await startServers(servers, redisServer.url, options.nodeFlags, profileDirectory)
    const ids = new SubscriberIds(randomBytes(3).toString('hex'))
    const templates = await checkFlows(servers, redis, ids)

    const sessionMemory = await measureSessionMemory(servers, redis, ids, options.memorySample)
    for (const target of targets) {
      progress(`warming up ${target.name} for ${options.warmupMs} ms`)
      await warmUp(target, serverOf(servers, target.name), redis, ids, options)
    }

    const lab: Lab = { servers, redis, redisServer, ids }
    const { seeding, cases } = await runSteps(options, lab, templates, progress)
    await stopServers(servers)
    const profilePath = profileDirectory && (await newestProfile(profileDirectory))
    const profile = profilePath === undefined ? undefined : await summarizeProfile(profilePath)
    return { options, machine, sessionMemory, seeding, cases, profile, profilePath }
  } finally {
    await stopServers(servers)
    await redis.quit()
    await redisServer.stop()
  }
}

async function startServers(
  servers: Map<TargetName, ServerProcess>,
  redisUrl: string,
  nodeFlags: readonly string[],
  profileDirectory: string | undefined,
): Promise<void> {
  const started = targets.map(async (target) => {
    const profiled = target.name === 'switchboard' && profileDirectory !== undefined
    const profileFlags = profiled ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : []
    const server = await startServerProcess({
      entry: target.entry,
      environment: target.environment(redisUrl),
      nodeFlags: [...nodeFlags, ...profileFlags],
    })
    servers.set(target.name, server)
  })
  await Promise.all(started)
}

async function stopServers(servers: Map<TargetName, ServerProcess>): Promise<void> {
  await Promise.all([...servers.values()].map((server) => server.stop()))
  servers.clear()
}

async function measureSessionMemory(
  servers: ReadonlyMap<TargetName, ServerProcess>,
  redis: Redis,
  ids: SubscriberIds,
  sample: number,
): Promise<BenchResults['sessionMemory']> {
  const result = {} as BenchResults['sessionMemory']
  for (const target of targets) {
    // Four hops reach the confirmation screen, where a session's stored value is largest.
    const walked = await walkSessions(serverOf(servers, target.name).baseUrl, ids, sample, 4)
    const sessionIds = walked.map((session) => session.sessionId)
    result[target.name] = await sessionMemoryBytes(redis, target, sessionIds)
    await removeSessions(redis, target, sessionIds)
  }
  return result
}

async function warmUp(
  target: BenchTarget,
  server: ServerProcess,
  redis: Redis,
  ids: SubscriberIds,
  options: BenchOptions,
): Promise<void> {
  if (options.warmupMs === 0) return
  const load = await runLoad({
    baseUrl: server.baseUrl,
    path: '/africastalking/ussd',
    subscribers: options.subscribers,
    durationMs: options.warmupMs,
    thinkMs: 0,
    ids,
    expectedPrefixes: target.expectedPrefixes,
  })
  await removeSessions(redis, target, load.sessionIds)
}

/** The running servers, Redis and id source that every case shares. */
interface Lab {
  readonly servers: ReadonlyMap<TargetName, ServerProcess>
  readonly redis: Redis
  readonly redisServer: RedisServer
  readonly ids: SubscriberIds
}

async function runSteps(
  options: BenchOptions,
  lab: Lab,
  templates: readonly SessionTemplate[],
  progress: (line: string) => void,
): Promise<{ seeding: SeedStep[]; cases: CaseResult[] }> {
  const seeding: SeedStep[] = []
  const cases: CaseResult[] = []
  let stored = 0

  for (const stepCases of planCases(options)) {
    const step = await seedStep(lab, templates, stored, stepCases[0]!.stored)
    seeding.push(step)
    progress(
      `stored ${step.stored.toLocaleString('en')} idle sessions (${step.seconds.toFixed(1)} s)`,
    )
    stored = step.stored

    const results = stepCases.map((spec) => ({ spec, runs: [] as CaseRun[] }))
    // Runs alternate between cases, so a slow spell of the machine touches every case alike.
    for (let run = 1; run <= options.runs; run += 1) {
      for (const result of results) {
        const measured = await measureCase(result.spec, {
          target: targets.find((candidate) => candidate.name === result.spec.target)!,
          server: serverOf(lab.servers, result.spec.target),
          redis: lab.redis,
          redisPid: lab.redisServer.pid,
          ids: lab.ids,
          durationMs: options.durationMs,
        })
        result.runs.push(measured)
        progress(describeRun(result.spec, run, measured))
      }
    }
    cases.push(...results)
  }
  return { seeding, cases }
}

/** Seeds idle sessions from `stored` up to `target` and measures the time and memory it took. */
async function seedStep(
  lab: Lab,
  templates: readonly SessionTemplate[],
  stored: number,
  target: number,
): Promise<SeedStep> {
  const memoryBefore = await usedMemoryBytes(lab.redis)
  const started = performance.now()
  await seedIdleSessions(lab.redisServer.url, templates, stored, target, seededTtlSeconds)
  const seconds = (performance.now() - started) / 1000

  const added = target - stored
  const grown = (await usedMemoryBytes(lab.redis)) - memoryBefore
  return { stored: target, seconds, bytesPerSession: added === 0 ? Number.NaN : grown / added }
}

function describeRun(spec: CaseSpec, run: number, measured: CaseRun): string {
  const mode = spec.thinkMs === 0 ? 'closed' : `paced ${spec.thinkMs} ms`
  return `run ${run} ${spec.target} stored=${spec.stored} subscribers=${spec.subscribers} ${mode}: ${Math.round(measured.hopsPerSecond)} hops/s p99 ${measured.p99.toFixed(1)} ms errors ${measured.errors}`
}

async function profileDirectoryFor(): Promise<string> {
  const directory = join(repositoryRoot, 'bench', 'profiles')
  await mkdir(directory, { recursive: true })
  return directory
}

// Node names profiles CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile. Thread 0 is the
// main thread, and tsx's module loader runs on another.
async function newestProfile(directory: string): Promise<string | undefined> {
  const mainThread = /\.\d+\.0\.\d+\.cpuprofile$/
  const names = (await readdir(directory)).filter((name) => mainThread.test(name)).sort()
  const newest = names.at(-1)
  return newest === undefined ? undefined : join(directory, newest)
}
