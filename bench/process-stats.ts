import { readFile } from 'node:fs/promises'

// Linux reports CPU times in /proc/<pid>/stat in clock ticks, and USER_HZ is 100 on every
// mainstream architecture (`getconf CLK_TCK`).
const ticksPerSecond = 100

/** CPU time a process has used so far, user plus system, in milliseconds. Linux only. */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // The command name in field 2 may contain spaces, so split only after its closing bracket.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const userTicks = Number(fields[11])
  const systemTicks = Number(fields[12])
  return ((userTicks + systemTicks) * 1000) / ticksPerSecond
}

/** Resident set size of a process, in bytes. Linux only. */
export async function processRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status)
  if (match === null) throw new Error(`/proc/${pid}/status has no VmRSS line.`)
  return Number(match[1]) * 1024
}
