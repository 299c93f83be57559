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
  if (!ready) logger.warn('outbox redis is not reachable yet; sends wait until it is')
}
