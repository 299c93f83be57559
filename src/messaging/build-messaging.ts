import type { Logger } from 'pino'
import { createSmsRoutes } from '../channels/africastalking/sms-routes.ts'
import type { Config } from '../config.ts'
import { AtSmsSender, atSmsSenderOptionsFrom } from './africastalking/at-sms-sender.ts'
import { DeliveryReportHandler } from './delivery-reports.ts'
import { LogSmsSender } from './log-sms-sender.ts'
import { MemoryOutboxStore } from './memory-outbox-store.ts'
import { MemoryOptOutStore, suppressOptedOut, type OptOutStore } from './opt-outs.ts'
import { Outbox } from './outbox.ts'
import type { OutboxStore } from './outbox-store.ts'
import { OutboxWorker } from './outbox-worker.ts'
import { RedisOptOutStore } from './redis-opt-out-store.ts'
import { RedisOutboxStore } from './redis-outbox-store.ts'
import type { SmsSender } from './sms-sender.ts'
import type { SentMessageLog } from '../simulator/sent-message-log.ts'

export interface MessagingOverrides {
  readonly sender?: SmsSender
  readonly now?: () => number
  /** Keeps a copy of every SMS sent, for the web simulator. */
  readonly sentMessages?: SentMessageLog
}

/**
 * Wires outbound SMS: the durable outbox (in Redis when REDIS_URL is set), the worker that drains
 * it through Africa's Talking (or the log, without an account), opt-outs, and the delivery-report
 * and opt-out routes.
 */
export async function buildMessaging(
  config: Config,
  logger: Logger,
  overrides: MessagingOverrides = {},
) {
  const redis =
    config.REDIS_URL === undefined
      ? undefined
      : {
          url: config.REDIS_URL,
          keyPrefix: config.REDIS_KEY_PREFIX,
          commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
          logger,
        }

  const outboxStore: OutboxStore =
    redis === undefined
      ? new MemoryOutboxStore({ now: overrides.now })
      : await RedisOutboxStore.connect({ ...redis, now: overrides.now })
  const optOuts: OptOutStore =
    redis === undefined ? new MemoryOptOutStore() : await RedisOptOutStore.connect(redis)
  const provider = overrides.sender ?? createSender(config, logger)
  const sender =
    overrides.sentMessages === undefined
      ? provider
      : recordingSender(provider, overrides.sentMessages)

  const outbox = new Outbox({
    store: outboxStore,
    logger,
    maxSegments: config.sms.SMS_MAX_SEGMENTS,
    overflow: config.sms.SMS_OVERFLOW,
  })
  const worker = new OutboxWorker({
    store: outboxStore,
    sender,
    logger,
    ratePerSecond: config.sms.SMS_RATE_PER_SECOND,
    maxAttempts: config.sms.SMS_MAX_ATTEMPTS,
    isSuppressed: suppressOptedOut(optOuts, {
      sendTransactional: config.SMS_SEND_TRANSACTIONAL_AFTER_OPT_OUT,
    }),
  })
  const deliveryReports = new DeliveryReportHandler({
    outbox: outboxStore,
    optOuts,
    logger,
    defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
    now: overrides.now,
  })
  const routes = createSmsRoutes({
    deliveryReports,
    optOuts,
    logger,
    defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
    now: overrides.now,
  })

  const close = async () => {
    await worker.stop()
    await outboxStore.close()
    await optOuts.close()
  }
  return { outbox, outboxStore, optOuts, sender, worker, routes, close }
}

/** Wraps a sender so each SMS it sends is also kept in `log`. */
function recordingSender(sender: SmsSender, log: SentMessageLog): SmsSender {
  return {
    async send(request) {
      const outcome = await sender.send(request)
      if (outcome.status === 'sent') {
        log.record({
          to: request.to,
          text: request.text,
          from: request.from,
          sentAt: Date.now(),
          id: outcome.messageId,
        })
      }
      return outcome
    },
  }
}

function createSender(config: Config, logger: Logger): SmsSender {
  const options = atSmsSenderOptionsFrom(config.sms)
  if (options === undefined) {
    logger.info(
      'no SMS account configured: SMS are written to the log (set AT_USERNAME and AT_API_KEY)',
    )
    return new LogSmsSender(logger)
  }

  const sender = new AtSmsSender(options)
  logger.info(
    { username: options.username, apiUrl: sender.apiUrl },
    "sending SMS through Africa's Talking",
  )
  return sender
}
