/** Port, host and Redis URL a reference server reads from its environment. */
export function readServerEnvironment(): { port: number; host: string; redisUrl: string } {
  const port = Number(process.env['PORT'])
  const redisUrl = process.env['REDIS_URL']
  if (!Number.isInteger(port) || port <= 0 || redisUrl === undefined) {
    throw new Error(
      `PORT (a TCP port) and REDIS_URL (such as redis://127.0.0.1:6379) must be set; got PORT=${process.env['PORT']} REDIS_URL=${redisUrl}.`,
    )
  }
  return { port, host: process.env['HOST'] ?? '127.0.0.1', redisUrl }
}

/** Closes the server, then Redis, then exits, so `node --cpu-prof` can write its profile. */
export function exitOnSigterm(
  closeServer: (done: () => void) => void,
  closeRedis: () => Promise<unknown>,
) {
  process.once('SIGTERM', () => {
    closeServer(() => {
      void closeRedis().finally(() => process.exit(0))
    })
  })
}
