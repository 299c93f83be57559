import type { Redis } from 'ioredis'
import { median } from './stats.ts'
import type { BenchTarget } from './targets.ts'

const batchSize = 5000

/** Removes the keys of `sessionIds` from Redis, so each case starts with the stored count it names. */
export async function removeSessions(
  redis: Redis,
  target: BenchTarget,
  sessionIds: readonly string[],
): Promise<void> {
  for (let start = 0; start < sessionIds.length; start += batchSize) {
    const keys = sessionIds.slice(start, start + batchSize).flatMap(target.sessionKeys)
    if (keys.length > 0) await redis.unlink(...keys)
  }
}

/**
 * Returns the median Redis memory of one session in bytes: `MEMORY USAGE` (key, value and
 * Redis's per-key overhead, counted exactly with SAMPLES 0) summed over the session's keys.
 */
export async function sessionMemoryBytes(
  redis: Redis,
  target: BenchTarget,
  sessionIds: readonly string[],
): Promise<{ medianBytes: number; keysPerSession: number }> {
  const pipeline = redis.pipeline()
  for (const sessionId of sessionIds) {
    for (const key of target.sessionKeys(sessionId)) pipeline.memory('USAGE', key, 'SAMPLES', 0)
  }
  const results = (await pipeline.exec()) ?? []
  const sizes: number[] = []
  const keysOfSession = target.sessionKeys('x').length
  let keysFound = 0

  for (let index = 0; index < sessionIds.length; index += 1) {
    let total = 0
    for (let key = 0; key < keysOfSession; key += 1) {
      const [error, bytes] = results[index * keysOfSession + key] ?? [null, null]
      if (error) throw error
      if (typeof bytes === 'number') {
        total += bytes
        keysFound += 1
      }
    }
    sizes.push(total)
  }
  sizes.sort((a, b) => a - b)
  return { medianBytes: median(sizes), keysPerSession: keysFound / sessionIds.length }
}

/** Bytes Redis has allocated (`used_memory` of INFO memory). */
export async function usedMemoryBytes(redis: Redis): Promise<number> {
  const info = await redis.info('memory')
  const match = /^used_memory:(\d+)/m.exec(info)
  if (match === null) throw new Error('INFO memory returned no used_memory line.')
  return Number(match[1])
}
