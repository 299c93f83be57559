import type { Redis } from 'ioredis'

/** A session value as Switchboard stored it, with the ids to swap for each copy. */
export interface SessionTemplate {
  readonly key: string
  readonly value: string
  readonly sessionId: string
  readonly phoneNumber: string
}

const batchSize = 10_000
const batchesInFlight = 4

/**
 * Stores idle sessions `from` (inclusive) to `to` (exclusive) with pipelined SETs: copies of the
 * templates in turn, each under its own session id and phone number, so Redis contains values of
 * the size and shape Switchboard writes. They expire after `ttlSeconds`.
 */
export async function seedIdleSessions(
  redis: Redis,
  templates: readonly SessionTemplate[],
  from: number,
  to: number,
  ttlSeconds: number,
): Promise<void> {
  if (templates.length === 0) throw new Error('No session template to seed idle sessions from.')
  const batches: Promise<unknown>[] = []

  for (let start = from; start < to; start += batchSize) {
    const pipeline = redis.pipeline()
    for (let index = start; index < Math.min(to, start + batchSize); index += 1) {
      const template = templates[index % templates.length]!
      const sessionId = `ATUid_idle_${index.toString(36)}`
      const phoneNumber = `+2547${String(10_000_000 + index)}`
      const key = template.key.replace(template.sessionId, sessionId)
      const value = template.value
        .replaceAll(template.sessionId, sessionId)
        .replaceAll(template.phoneNumber, phoneNumber)
      pipeline.set(key, value, 'EX', ttlSeconds)
    }
    batches.push(pipeline.exec())
    if (batches.length >= batchesInFlight) await batches.shift()
  }
  await Promise.all(batches)
}
