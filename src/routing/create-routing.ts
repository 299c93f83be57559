import { Hono } from 'hono'
import type { Logger } from 'pino'
import { flowsWatchEnabled, type Config } from '../config.ts'
import type { TimerHandler } from '../engine/timer-worker.ts'
import { contactChanges } from '../messaging/inbound/contact-changes.ts'
import type { ContactStore } from '../messaging/inbound/contacts.ts'
import type { MessageRouter } from '../messaging/routing/message-router.ts'
import type { TimerRecord } from '../store/session-store.ts'
import { maskMsisdn } from '../text/phone.ts'
import { AgentDesk } from './agent-desk.ts'
import { createAgentRoutes } from './agent-routes.ts'
import { inboxPage } from './inbox-page.ts'
import { loadRuleBook } from './load-rules.ts'
import { MemoryTeamQueueStore } from './memory-team-queue-store.ts'
import { OnCallNotifier, type SmsOutbox } from './on-call-notifier.ts'
import type { QueueItem } from './queue-item.ts'
import { RedisTeamQueueStore } from './redis-team-queue-store.ts'
import { RoutingMetrics } from './routing-metrics.ts'
import { RoutingTimers, type SentSms } from './routing-timers.ts'
import { fixedRuleBook, type RuleBookSource } from './rule-book-source.ts'
import { RulesRouter, type FlowStarter } from './rules-router.ts'
import { TeamQueue } from './team-queue.ts'
import type { TeamQueueStore } from './team-queue-store.ts'
import { watchRules } from './watch-rules.ts'

export interface RoutingDependencies {
  readonly logger: Logger
  /** The durable outbox, which takes replies, closing messages and on-call alerts. */
  readonly outbox: SmsOutbox
  /** The contacts two-way SMS keeps: language, opt-out and history. */
  readonly contacts: ContactStore
  /** The session store, whose durable timers carry the service levels. */
  readonly timers: { scheduleTimer(timer: TimerRecord): Promise<void> }
  readonly now?: () => number
  /** Replaces the queue store chosen from REDIS_URL. */
  readonly queueStore?: TeamQueueStore
  /** Starts the flow an answer rule names over SMS. */
  readonly startFlow?: FlowStarter
  /** Routes messages to a short code no rules file lists. */
  readonly unlisted?: MessageRouter
  /** Reload rules files when they change; default FLOWS_WATCH. */
  readonly watch?: boolean
  readonly fetch?: typeof fetch
}

/** Everything routing to teams offers the composition root. */
export interface Routing {
  readonly router: MessageRouter
  /** `/api/teams/:team/...`, `/inbox` and `/metrics`, to mount at `/`. */
  readonly routes: Hono
  /** Fires the service-level and webhook timers; register it with the timer worker. */
  readonly timerHandler: TimerHandler
  readonly queue: TeamQueue
  readonly desk: AgentDesk
  readonly metrics: RoutingMetrics
  readonly rules: RuleBookSource & { idle?(): Promise<void> }
  close(): Promise<void>
}

// The page fetches from its own origin only.
const inboxPolicy = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Wires routing to teams: the rules files of RULES_DIR (reloaded on change), the team queues (in
 * Redis when REDIS_URL is set), the router for messages no flow answered, the agent API and inbox,
 * the service-level timers and the metrics.
 */
export async function createRouting(
  config: Config,
  dependencies: RoutingDependencies,
): Promise<Routing> {
  const { logger, outbox, contacts } = dependencies
  const now = dependencies.now ?? Date.now
  const settings = config.routing
  const directory = settings.RULES_DIR ?? config.FLOWS_DIR

  const initial = await loadRuleBook(directory)
  const watcher =
    (dependencies.watch ?? flowsWatchEnabled(config))
      ? watchRules({ directory, initial, logger })
      : undefined
  const rules = watcher ?? fixedRuleBook(initial)
  warnAboutTokens(config, logger)

  const store = dependencies.queueStore ?? (await createQueueStore(config, logger, now))
  const queue = new TeamQueue({
    store,
    now,
    leaseMs: settings.AGENT_LEASE_SECONDS * 1000,
    retentionMs: settings.ROUTING_RETENTION_DAYS * 24 * 60 * 60 * 1000,
  })
  const metrics = new RoutingMetrics()
  const notifier = new OnCallNotifier({
    rules,
    outbox,
    timers: dependencies.timers,
    logger,
    fetch: dependencies.fetch,
  })
  const recordSent = sentRecorder(contacts, logger, now)
  const timers = new RoutingTimers({
    queue,
    rules,
    notifier,
    outbox,
    timers: dependencies.timers,
    metrics,
    logger,
    recordSent,
  })

  const router = new RulesRouter({
    rules,
    queue,
    contacts,
    timers,
    notifier,
    metrics,
    logger,
    now,
    startFlow: dependencies.startFlow,
    unlisted: dependencies.unlisted,
  })
  const desk = new AgentDesk({
    queue,
    rules,
    outbox,
    timers,
    notifier,
    metrics,
    logger,
    now,
    recordSent,
  })

  const tokenTeams = settings.TEAM_TOKENS.map((entry) => entry.team)
  const teams = () => [...new Set([...rules.current().teams(), ...tokenTeams])].sort()
  const routes = new Hono()
  routes.route('/', createAgentRoutes({ desk, tokens: settings.TEAM_TOKENS, teams, logger }))
  routes.get('/inbox', (c) =>
    c.html(inboxPage, 200, { 'content-security-policy': inboxPolicy, 'cache-control': 'no-store' }),
  )
  routes.get('/metrics', async (c) => {
    const depths = await Promise.all(
      teams().map(async (team) => {
        // Claims that ran out count as queued, as they are once the queue is next read.
        await queue.releaseExpired(team)
        const counts = await queue.counts(team)
        return { team, queued: counts.queued, claimed: counts.leased }
      }),
    )
    return c.text(metrics.render(depths), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    })
  })

  logger.info(
    { directory, programs: initial.programs.map((program) => program.program), teams: teams() },
    'routing to teams ready',
  )
  return {
    router,
    routes,
    timerHandler: timers,
    queue,
    desk,
    metrics,
    rules,
    async close() {
      watcher?.close()
      await store.close()
    },
  }
}

async function createQueueStore(
  config: Config,
  logger: Logger,
  now: () => number,
): Promise<TeamQueueStore> {
  if (config.REDIS_URL === undefined) return new MemoryTeamQueueStore(now)
  return RedisTeamQueueStore.connect({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  })
}

/** Records an SMS routing sent in the person's history; a failure is logged, the SMS is queued. */
function sentRecorder(contacts: ContactStore, logger: Logger, now: () => number) {
  return async (item: QueueItem, sent: SentSms) => {
    const event = {
      kind: 'sms-out' as const,
      channel: 'sms' as const,
      at: now(),
      ref: sent.key,
      text: sent.text,
      outcome: sent.outcome,
    }
    try {
      // Keyed by the outbox key, so a retried action records its SMS once.
      await contacts.update(item.message.from, (contact) =>
        contact.history.some((past) => past.kind === 'sms-out' && past.ref === sent.key)
          ? contact
          : contactChanges.recordEvent(contact, event),
      )
    } catch (error) {
      logger.warn(
        { err: error, reference: item.reference, to: maskMsisdn(item.message.from) },
        'sms not added to the contact history',
      )
    }
  }
}

// Tokens are compared in constant time, but a short one can still be guessed.
function warnAboutTokens(config: Config, logger: Logger): void {
  const tokens = config.routing.TEAM_TOKENS
  if (tokens.length === 0) {
    logger.warn('TEAM_TOKENS is not set: the agent API and inbox accept no one')
    return
  }
  const short = tokens.filter((entry) => entry.token.length < 16).map((entry) => entry.team)
  if (short.length > 0) {
    logger.warn({ teams: short }, 'team tokens shorter than 16 characters; use long random tokens')
  }
}
