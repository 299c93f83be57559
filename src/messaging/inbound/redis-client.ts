import { Redis, type Cluster } from 'ioredis'
import type { Logger } from 'pino'
import { failFastOptions, type RedisStoreOptions } from '../../store/redis-store.ts'
import { StoreUnavailableError } from '../../store/session-store.ts'

export type RedisClient = Redis | Cluster

/**
 * Connects to the Redis at `url` with the session store's fail-fast options, and waits up to
 * `readyTimeoutMs` for it. A server that is not up yet is logged, not raised: commands fail with
 * `StoreUnavailableError` until it is.
 */
export async function connectRedis(
  options: RedisStoreOptions & { url: string; readyTimeoutMs?: number },
): Promise<Redis> {
  const client = new Redis(options.url, failFastOptions(options))
  logConnectionChanges(client, options.logger)

  const ready = await waitForReady(client, options.readyTimeoutMs ?? 2000)
  if (!ready)
    options.logger.warn('redis is not reachable yet; inbound SMS storage will fail until it is')
  return client
}

/** Runs one Redis command, turning a client failure into `StoreUnavailableError`. */
export async function runCommand<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command()
  } catch (error) {
    throw new StoreUnavailableError(`Redis command failed: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

function logConnectionChanges(client: Redis, logger: Logger): void {
  let down = false
  client.on('error', (error: Error) => {
    if (!down) logger.error({ err: error }, 'redis connection error')
    down = true
  })
  client.on('ready', () => {
    if (down) logger.info('redis connection restored')
    down = false
  })
}

function waitForReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true)

  return new Promise((resolve) => {
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), timeoutMs)
    const done = (ready: boolean) => {
      clearTimeout(timer)
      client.off('ready', onReady)
      resolve(ready)
    }
    client.once('ready', onReady)
  })
}
