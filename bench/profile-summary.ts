import { readFile } from 'node:fs/promises'
import { stageOf } from './profile-stages.ts'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { functionName: string; url: string; lineNumber: number }
  readonly children?: readonly number[]
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

export interface ProfileShare {
  readonly name: string
  /** Self time in milliseconds. */
  readonly ms: number
  /** Share of the busy (non-idle) time, 0–1. */
  readonly share: number
}

export interface ProfileSummary {
  readonly busyMs: number
  /** Time charged to each part of the hop, as profile-stages.ts defines them. */
  readonly byStage: readonly ProfileShare[]
  /** Self time grouped by npm package, Node internals or Switchboard source file. */
  readonly byOrigin: readonly ProfileShare[]
  readonly byFunction: readonly ProfileShare[]
}

/** Sums the time of a `node --cpu-prof` profile by stage of the hop, origin and function. */
export async function summarizeProfile(path: string): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id)
  }
  const stackOf = (id: number) => {
    const stack: ProfileNode['callFrame'][] = []
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = nodes.get(at)?.callFrame
      if (frame !== undefined) stack.push(frame)
    }
    return stack
  }

  const byStage = new Map<string, number>()
  const byOrigin = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let busyMs = 0

  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id)?.callFrame
    if (frame === undefined || frame.functionName === '(idle)') return
    // timeDeltas[i] is the time before sample i, in microseconds.
    const ms = (profile.timeDeltas[index] ?? 0) / 1000
    busyMs += ms
    add(byStage, stageOf(stackOf(id)), ms)
    add(byOrigin, originOf(frame.url, frame.functionName), ms)
    add(
      byFunction,
      `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`,
      ms,
    )
  })

  return {
    busyMs,
    byStage: ranked(byStage, busyMs),
    byOrigin: ranked(byOrigin, busyMs),
    byFunction: ranked(byFunction, busyMs),
  }
}

function originOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (packageMatch) return packageMatch[1]!
  if (url.startsWith('node:')) return 'node internals'
  const sourceMatch = /\/(src|bench)\/(.+)$/.exec(url)
  return sourceMatch ? `${sourceMatch[1]}/${sourceMatch[2]}` : url
}

function shortUrl(url: string): string {
  const match = /node_modules\/(.+)$/.exec(url) ?? /\/((?:src|bench)\/.+)$/.exec(url)
  return match ? match[1]! : url
}

function add(totals: Map<string, number>, key: string, ms: number): void {
  totals.set(key, (totals.get(key) ?? 0) + ms)
}

function ranked(totals: Map<string, number>, busyMs: number): ProfileShare[] {
  return [...totals]
    .map(([name, ms]) => ({ name, ms, share: busyMs === 0 ? 0 : ms / busyMs }))
    .sort((a, b) => b.ms - a.ms)
}
