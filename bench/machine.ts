import { execFile } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface MachineFacts {
  readonly cores: number
  readonly cpuModel: string
  readonly memory: string
  readonly node: string
  readonly redis: string
  /** One-minute load average when the benchmark started: other work on the machine skews it. */
  readonly loadAverage: number
}

/** Describes the machine: `nproc`, `free -h`, the CPU model, Node and redis-server versions. */
export async function describeMachine(): Promise<MachineFacts> {
  const [nproc, free, redis] = await Promise.all([
    run('nproc').then((result) => Number(result.stdout.trim())),
    run('free', ['-h']).then((result) => /^Mem:\s+(\S+)/m.exec(result.stdout)?.[1] ?? ''),
    run('redis-server', ['--version']).then((result) => /v=(\S+)/.exec(result.stdout)?.[1] ?? ''),
  ])
  return {
    cores: nproc,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memory: free || `${Math.round(totalmem() / 2 ** 30)}Gi`,
    node: process.version,
    redis,
    loadAverage: loadavg()[0] ?? 0,
  }
}
