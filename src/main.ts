import { serve } from '@hono/node-server'
import { buildSwitchboard } from './build-switchboard.ts'
import { loadConfig, simulatorEnabled } from './config.ts'
import { watchConfiguredFlows } from './flows/watch-flows.ts'
import { createLogger } from './logger.ts'

const config = loadConfig()
const logger = createLogger({ level: config.LOG_LEVEL })

try {
  const switchboard = await buildSwitchboard(config, logger)
  const server = serve(
    { fetch: switchboard.app.fetch, port: config.PORT, hostname: config.HOST },
    (info) => {
      logger.info(
        {
          port: info.port,
          host: config.HOST,
          store: config.REDIS_URL ? 'redis' : 'memory',
          ussd: Object.fromEntries(switchboard.registry.serviceCodes()),
        },
        `switchboard listening on http://${config.HOST}:${info.port}`,
      )
    },
  )

  switchboard.timers.start()
  const flowWatcher = watchConfiguredFlows(config, switchboard.registry, logger)
  if (simulatorEnabled(config) && config.NODE_ENV === 'production') {
    logger.warn('the simulator at /simulator shows sessions unmasked; set SIMULATOR=off')
  }
  switchboard.messaging.worker.start()

  const stop = (signal: string) => {
    logger.info({ signal }, 'switchboard stopping')
    flowWatcher?.close()
    server.close(() => {
      void switchboard.close().finally(() => {
        logger.info('switchboard stopped')
        process.exit(0)
      })
    })
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
} catch (error) {
  logger.fatal({ err: error }, 'switchboard failed to start')
  process.exit(1)
}
