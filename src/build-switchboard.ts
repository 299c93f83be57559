import type { Logger } from 'pino'
import { createAfricasTalkingUssdChannel } from './channels/africastalking/ussd-channel.ts'
import { createAfricasTalkingVoiceChannel } from './channels/africastalking/voice-channel.ts'
import { simulatorEnabled, type Config } from './config.ts'
import type { EffectSink } from './engine/effects.ts'
import { defaultMessages } from './engine/messages.ts'
import { UssdEngine } from './engine/ussd-engine.ts'
import { TimerWorker } from './engine/timer-worker.ts'
import { VoiceEngine } from './engine/voice-engine.ts'
import { defaultVoiceMessages } from './engine/voice-messages.ts'
import { loadFlows } from './flows/load-flows.ts'
import { createApp } from './http/create-app.ts'
import { buildMessaging } from './messaging/build-messaging.ts'
import { buildTwoWaySms } from './messaging/inbound/build-two-way-sms.ts'
import { AcknowledgingRouter } from './messaging/routing/acknowledging-router.ts'
import type { MessageRouter } from './messaging/routing/message-router.ts'
import type { SmsSender } from './messaging/sms-sender.ts'
import { MemorySessionStore } from './store/memory-store.ts'
import { RedisSessionStore } from './store/redis-store.ts'
import { createRouting, type Routing } from './routing/create-routing.ts'
import { SentMessageLog } from './simulator/sent-message-log.ts'
import type { SessionStore } from './store/session-store.ts'

export interface SwitchboardOverrides {
  readonly store?: SessionStore
  /** Replaces the outbox as the sink of flow effects. */
  readonly effects?: EffectSink
  readonly sender?: SmsSender
  readonly now?: () => number
  /** Replaces the router of SMS that no flow or question takes. */
  readonly router?: MessageRouter
}

/** Wires a Switchboard from its configuration: store, flows, engine, channels and HTTP app. */
export async function buildSwitchboard(
  config: Config,
  logger: Logger,
  overrides: SwitchboardOverrides = {},
) {
  const store = overrides.store ?? (await createStore(config, logger))
  const { registry, routes } = await loadFlows(config.FLOWS_DIR, {
    defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
  })
  // Every SMS sent is also kept for the simulated phone.
  const sentMessages = new SentMessageLog()
  const messaging = await buildMessaging(config, logger, {
    sender: overrides.sender,
    now: overrides.now,
    sentMessages,
  })
  // Routing to teams reads the contacts that two-way SMS creates, and two-way SMS routes through
  // it, so the SMS handler gets a router that forwards to the one built just after.
  let routing: Routing | undefined
  const teamRouter: MessageRouter = {
    route: (message) => {
      if (routing === undefined) throw new Error('Routing to teams is not ready yet.')
      return routing.router.route(message)
    },
  }
  const sms = await buildTwoWaySms(config, logger, {
    store,
    flows: registry,
    smsRoutes: routes.sms,
    effects: overrides.effects ?? messaging.outbox,
    optOuts: messaging.optOuts,
    router: overrides.router ?? teamRouter,
    now: overrides.now,
  })
  routing = await createRouting(config, {
    logger,
    outbox: messaging.outbox,
    contacts: sms.contacts,
    timers: store,
    now: overrides.now,
    unlisted: new AcknowledgingRouter({
      logger,
      defaultLanguage: config.DEFAULT_LANGUAGE,
      now: overrides.now,
    }),
    startFlow: async ({ flowId, message }) => {
      const result = await sms.engine.start({
        msisdn: message.from,
        flowId,
        origin: 'keyword',
        messageId: message.id,
      })
      return ['waiting', 'done', 'repeat'].includes(result.status)
    },
  })
  const effects = sms.effects

  const engine = new UssdEngine({
    store: sms.sessionStore,
    flows: registry,
    effects,
    logger,
    messages: defaultMessages,
    screenLimit: config.USSD_SCREEN_LIMIT,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS,
    hopBudgetMs: config.HOP_BUDGET_MS,
    taskTimeoutMs: config.TASK_TIMEOUT_MS,
    dropAfterSeconds: config.USSD_DROP_AFTER_SECONDS,
    defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
    defaultLanguage: config.DEFAULT_LANGUAGE,
  })

  const timers = new TimerWorker({
    store,
    logger,
    intervalMs: config.TIMER_POLL_MS,
    handlers: [
      {
        owns: (key) => key.startsWith('africastalking:'),
        fire: (timer, now) => engine.fireTimer(timer, now),
      },
      sms.timerHandler,
      routing.timerHandler,
    ],
    now: overrides.now,
  })

  const voiceEngine = new VoiceEngine({
    store: sms.sessionStore,
    flows: registry,
    effects,
    logger,
    messages: defaultMessages,
    voiceMessages: defaultVoiceMessages,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS,
    hopBudgetMs: config.HOP_BUDGET_MS,
    defaultCountryCode: config.DEFAULT_COUNTRY_CODE,
    defaultLanguage: config.DEFAULT_LANGUAGE,
    keys: {
      more: config.VOICE_KEY_MORE,
      back: config.VOICE_KEY_BACK,
      repeat: config.VOICE_KEY_REPEAT,
    },
    digitsTimeoutSeconds: config.VOICE_DIGITS_TIMEOUT_SECONDS,
    recordMaxSeconds: config.VOICE_RECORD_MAX_SECONDS,
    maxSilentPrompts: config.VOICE_MAX_SILENT_PROMPTS,
    maxInvalidPrompts: config.VOICE_MAX_INVALID_PROMPTS,
  })

  const channelOptions = { defaultCountryCode: config.DEFAULT_COUNTRY_CODE }
  const ussdChannels = [createAfricasTalkingUssdChannel(channelOptions)]
  const voiceChannels = [createAfricasTalkingVoiceChannel(channelOptions)]
  const app = createApp({
    engine,
    voiceEngine,
    store,
    logger,
    ussdChannels,
    voiceChannels,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    now: overrides.now,
    simulator: simulatorEnabled(config)
      ? { registry, store, sentMessages, defaultCountryCode: config.DEFAULT_COUNTRY_CODE }
      : undefined,
  })
  app.route('/', messaging.routes)
  app.route('/', sms.routes)
  app.route('/', routing.routes)

  const close = async () => {
    await timers.stop()
    await engine.idle()
    await messaging.close()
    await sms.close()
    await routing?.close()
    await store.close()
  }
  return {
    app,
    store,
    registry,
    routes,
    engine,
    voiceEngine,
    effects,
    timers,
    messaging,
    sms,
    routing,
    sentMessages,
    close,
  }
}

// TODO: configure Redis Cluster for `npm start`. RedisSessionStore.connectCluster passes the
// Cluster tests, but the outbox, opt-out, inbound and contact stores still take a single REDIS_URL.
async function createStore(config: Config, logger: Logger): Promise<SessionStore> {
  if (config.REDIS_URL === undefined) {
    logger.info('using the in-memory session store; set REDIS_URL to use Redis')
    return new MemorySessionStore()
  }
  return RedisSessionStore.connect({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  })
}
