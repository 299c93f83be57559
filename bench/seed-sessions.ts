import { RespPipeline } from './resp-pipeline.ts'

/** A session value as Switchboard stored it, with the ids to swap for each copy. */
export interface SessionTemplate {
  readonly key: string
  readonly value: string
  readonly sessionId: string
  readonly phoneNumber: string
}

const batchSize = 20_000

/**
 * Stores idle sessions `from` (inclusive) to `to` (exclusive) with pipelined SETs: copies of the
 * templates in turn, each under its own session id and phone number, so Redis contains values of
 * the size and shape Switchboard writes. They expire after `ttlSeconds`.
 */
export async function seedIdleSessions(
  redisUrl: string,
  templates: readonly SessionTemplate[],
  from: number,
  to: number,
  ttlSeconds: number,
): Promise<void> {
  if (templates.length === 0) throw new Error('No session template to seed idle sessions from.')
  const pipeline = await RespPipeline.open(redisUrl)
  try {
    for (let start = from; start < to; start += batchSize) {
      await pipeline.setAll(copies(templates, start, Math.min(to, start + batchSize)), ttlSeconds)
    }
  } finally {
    pipeline.close()
  }
}

function* copies(
  templates: readonly SessionTemplate[],
  from: number,
  to: number,
): Generator<[string, string]> {
  // Split once, so each copy is a join rather than a search through the value.
  const split = templates.map((template) => ({
    key: template.key.split(template.sessionId),
    value: template.value.split(template.sessionId).map((part) => part.split(template.phoneNumber)),
  }))
  for (let index = from; index < to; index += 1) {
    const template = split[index % split.length]!
    const sessionId = `ATUid_idle_${index.toString(36)}`
    const phoneNumber = `+2547${String(10_000_000 + index)}`
    const value = template.value.map((parts) => parts.join(phoneNumber)).join(sessionId)
    yield [template.key.join(sessionId), value]
  }
}
