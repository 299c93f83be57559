import type { Cluster, Redis } from 'ioredis'
import type { Logger } from 'pino'

/**
 * Waits up to `timeoutMs` for the client to be ready. With the offline queue off, commands fail
 * until then; a store that starts while Redis is down logs it and recovers when Redis returns.
 */
export async function waitForRedis(
  client: Redis | Cluster,
  logger: Logger,
  timeoutMs = 2000,
): Promise<void> {
  if (client.status === 'ready') return

  const ready = await new Promise<boolean>((resolve) => {
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), timeoutMs)
    const done = (value: boolean) => {
      clearTimeout(timer)
      client.off('ready', onReady)
      resolve(value)
    }
    client.once('ready', onReady)
  })
  if (!ready) logger.warn('redis is not reachable yet; SMS commands fail until it is')
}

/** Logs the first error of an outage and the recovery, not every failed reconnect. */
export function logRedisConnection(client: Redis | Cluster, logger: Logger, name: string): void {
  let down = false
  client.on('error', (error: Error) => {
    if (!down) logger.error({ err: error }, `${name} redis connection error`)
    down = true
  })
  client.on('ready', () => {
    if (down) logger.info(`${name} redis connection restored`)
    down = false
  })
}
