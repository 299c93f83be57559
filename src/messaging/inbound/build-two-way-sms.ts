import { Hono } from 'hono'
import type { Logger } from 'pino'
import { createSmsInboundRoute } from '../../channels/africastalking/sms-inbound-route.ts'
import type { Config } from '../../config.ts'
import type { EffectSink } from '../../engine/effects.ts'
import type { FlowRegistry } from '../../engine/flow-registry.ts'
import { defaultMessages } from '../../engine/messages.ts'
import { SmsEngine } from '../../engine/sms-engine.ts'
import { SmsHandoverSink } from '../../engine/sms-handover.ts'
import { defaultSmsEngineMessages } from '../../engine/sms-messages.ts'
import { isSmsSessionKey } from '../../engine/sms-session.ts'
import type { TimerHandler } from '../../engine/timer-worker.ts'
import { createFlowApi } from '../../http/flow-api.ts'
import { MemorySessionStore } from '../../store/memory-store.ts'
import type { SessionStore } from '../../store/session-store.ts'
import type { OptOutStore } from '../opt-outs.ts'
import { AcknowledgingRouter } from '../routing/acknowledging-router.ts'
import type { MessageRouter } from '../routing/message-router.ts'
import { ContactHistoryEffects } from './contact-history-effects.ts'
import { ContactTrackingStore } from './contact-tracking-store.ts'
import type { ContactStore } from './contacts.ts'
import { InboundSmsHandler } from './handle-inbound-sms.ts'
import { defaultInboundMessages } from './inbound-messages.ts'
import type { InboundStore } from './inbound-store.ts'
import { MemoryContactStore } from './memory-contact-store.ts'
import { MemoryInboundStore } from './memory-inbound-store.ts'
import { connectRedis } from './redis-client.ts'
import { RedisContactStore } from './redis-contact-store.ts'
import { RedisInboundStore } from './redis-inbound-store.ts'
import { SmsKeywordRoutes, type SmsShortCodeRoute } from './sms-keyword-routes.ts'

export interface TwoWaySmsDependencies {
  /** The session store itself, not the contact-tracking view of it. */
  readonly store: SessionStore
  readonly flows: FlowRegistry
  /** SMS routes of `routes.yaml`, by short code. */
  readonly smsRoutes: Readonly<Record<string, SmsShortCodeRoute>>
  /** Sink of the SMS: the outbox, or a test's recorder. */
  readonly effects: EffectSink
  readonly optOuts: OptOutStore
  readonly router?: MessageRouter
  readonly now?: () => number
}

/**
 * Wires two-way SMS: contacts and inbound messages (in Redis when REDIS_URL is set), the SMS
 * engine, the inbound handler and router, and the routes `POST /africastalking/sms` and
 * `POST /api/flows/:flowId/start`. The USSD and voice engines take `sessionStore` and `effects`
 * from here, so their language saves, session ends, SMS and call hand-overs reach the contacts.
 */
export async function buildTwoWaySms(
  config: Config,
  logger: Logger,
  dependencies: TwoWaySmsDependencies,
) {
  const { store, flows, now } = dependencies
  const stores = await createStores(config, logger, store, now)
  const questionTtlSeconds = Math.round(config.SMS_QUESTION_TTL_HOURS * 3600)

  const history = new ContactHistoryEffects(dependencies.effects, stores.contacts, logger, now)
  const engine = new SmsEngine({
    store,
    contacts: stores.contacts,
    flows,
    effects: history,
    logger,
    messages: defaultMessages,
    smsMessages: defaultSmsEngineMessages,
    maxSegments: config.sms.SMS_MAX_SEGMENTS,
    defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
    defaultLanguage: config.DEFAULT_LANGUAGE,
    questionTtlSeconds,
    hopBudgetMs: config.HOP_BUDGET_MS,
    taskTimeoutMs: config.TASK_TIMEOUT_MS,
    now,
  })

  const router =
    dependencies.router ??
    new AcknowledgingRouter({ logger, defaultLanguage: config.DEFAULT_LANGUAGE, now })
  const handler = new InboundSmsHandler({
    contacts: stores.contacts,
    optOuts: dependencies.optOuts,
    engine,
    router,
    effects: history,
    keywords: new SmsKeywordRoutes(dependencies.smsRoutes),
    messages: defaultInboundMessages,
    defaultLanguage: config.DEFAULT_LANGUAGE,
    questionTtlSeconds,
    logger,
    now,
  })

  const routes = new Hono()
  routes.route(
    '/',
    createSmsInboundRoute({
      inbound: stores.inbound,
      handler,
      logger,
      defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
      now,
    }),
  )
  routes.route(
    '/',
    createFlowApi({
      token: config.API_TOKEN,
      engine,
      flows,
      logger,
      defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
      now,
    }),
  )
  if (config.API_TOKEN === undefined) {
    logger.info('flow API disabled: set API_TOKEN to start flows over SMS by HTTP')
  }

  const timerHandler: TimerHandler = {
    owns: isSmsSessionKey,
    fire: (timer, at) => engine.fireTimer(timer, at),
  }
  return {
    engine,
    handler,
    router,
    routes,
    timerHandler,
    contacts: stores.contacts,
    inbound: stores.inbound,
    /** The session store for the USSD and voice engines. */
    sessionStore: new ContactTrackingStore(store, stores.contacts, logger),
    /** The effect sink for the USSD and voice engines. */
    effects: new SmsHandoverSink(history, engine, logger),
    close: stores.close,
  }
}

async function createStores(
  config: Config,
  logger: Logger,
  store: SessionStore,
  now: (() => number) | undefined,
): Promise<{ contacts: ContactStore; inbound: InboundStore; close: () => Promise<void> }> {
  if (config.REDIS_URL === undefined) {
    // Sharing the embedded store's contacts keeps one record per number across channels.
    const sessions = store instanceof MemorySessionStore ? store : undefined
    return {
      contacts: new MemoryContactStore({ sessions, now }),
      inbound: new MemoryInboundStore({ now }),
      close: async () => {},
    }
  }

  // The session store's key prefix, so contacts share its `contact:{<E.164>}` keys.
  const client = await connectRedis({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  })
  return {
    contacts: new RedisContactStore(client, { now }),
    inbound: new RedisInboundStore(client, { now }),
    close: async () => {
      await client.quit().catch(() => client.disconnect())
    },
  }
}
