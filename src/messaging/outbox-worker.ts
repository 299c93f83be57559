import type { Logger } from 'pino'
import { maskMsisdn } from '../text/phone.ts'
import { systemClock, type Clock } from './clock.ts'
import type { OutboxMessage, OutboxStore } from './outbox-store.ts'
import { RateLimiter } from './rate-limiter.ts'
import { sendFailure, type FailedOutcome, type SendOutcome, type SmsSender } from './sms-sender.ts'

/**
 * Decides whether a message must not be sent (an opt-out, a carrier block). Returns false to
 * send, or true or a reason to mark the message `suppressed` instead.
 */
export type SuppressionCheck = (msisdn: string, message: OutboxMessage) => Promise<boolean | string>

export interface RetryBackoff {
  /** Milliseconds before the second attempt; doubles for each attempt after. */
  readonly baseMs: number
  /** Maximum wait between two attempts, in milliseconds. */
  readonly maxMs: number
}

export interface OutboxWorkerOptions {
  readonly store: OutboxStore
  readonly sender: SmsSender
  readonly logger: Logger
  readonly clock?: Clock
  /** Sends started per second (`SMS_RATE_PER_SECOND`). */
  readonly ratePerSecond?: number
  /** Attempts per message, the first included, before it is marked failed (`SMS_MAX_ATTEMPTS`). */
  readonly maxAttempts?: number
  /**
   * Milliseconds a claimed message stays leased to this worker. Must be well above the sender's
   * timeout: a send still running when its lease ends can be claimed and sent again.
   */
  readonly leaseMs?: number
  /** Sends waiting on the provider at once. */
  readonly maxInFlight?: number
  /** Milliseconds between looks at an empty queue. */
  readonly pollIntervalMs?: number
  readonly backoff?: RetryBackoff
  /** Random number in [0, 1) for retry jitter; injected for tests. */
  readonly random?: () => number
  readonly isSuppressed?: SuppressionCheck
}

export const defaultBackoff: RetryBackoff = { baseMs: 5_000, maxMs: 5 * 60_000 }

// Milliseconds to wait after the store fails before trying again.
const storeErrorPauseMs = 1000

/**
 * Drains an outbox: claims due messages at the configured rate, sends each through the
 * `SmsSender`, and records the result. Retryable failures come back with exponential back-off
 * until `maxAttempts`. Several workers may share one store, because claims are atomic.
 */
export class OutboxWorker {
  private readonly clock: Clock
  private readonly limiter: RateLimiter
  private readonly maxAttempts: number
  private readonly leaseMs: number
  private readonly maxInFlight: number
  private readonly pollIntervalMs: number
  private readonly backoff: RetryBackoff
  private readonly random: () => number
  private readonly inFlight = new Set<Promise<void>>()
  private stopSignal = new AbortController()
  private loop: Promise<void> | null = null

  constructor(private readonly options: OutboxWorkerOptions) {
    this.clock = options.clock ?? systemClock
    const rate = options.ratePerSecond ?? 10
    // Up to a tenth of a second's sends may start together, and never fewer than one.
    this.limiter = new RateLimiter(rate, Math.max(1, Math.floor(rate / 10)), this.clock.now())
    this.maxAttempts = options.maxAttempts ?? 5
    this.leaseMs = options.leaseMs ?? 60_000
    this.maxInFlight = options.maxInFlight ?? 32
    this.pollIntervalMs = options.pollIntervalMs ?? 250
    this.backoff = options.backoff ?? defaultBackoff
    this.random = options.random ?? Math.random
  }

  get running(): boolean {
    return this.loop !== null
  }

  start(): void {
    if (this.loop !== null) return
    this.stopSignal = new AbortController()
    this.options.logger.info(
      { leaseMs: this.leaseMs, maxAttempts: this.maxAttempts },
      'outbox worker started',
    )
    this.loop = this.run()
  }

  /** Stops claiming, then waits for the sends in flight and records their results. */
  async stop(): Promise<void> {
    if (this.loop === null) return
    this.stopSignal.abort()
    await this.loop
    await Promise.allSettled([...this.inFlight])
    this.loop = null
    this.options.logger.info('outbox worker stopped')
  }

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal
    let failedClaims = 0

    while (!signal.aborted) {
      let waitMs: number
      try {
        waitMs = await this.claimAndSend()
        if (failedClaims > 0) this.options.logger.info({ failedClaims }, 'outbox claims recovered')
        failedClaims = 0
      } catch (error) {
        // Logged once per outage: the store fails every claim until it comes back.
        if (failedClaims === 0) this.options.logger.error({ err: error }, 'outbox claim failed')
        failedClaims += 1
        waitMs = storeErrorPauseMs
      }
      if (waitMs > 0) await this.waitForWork(waitMs, signal)
    }
  }

  /** Claims what the rate and the in-flight cap allow and starts sending; returns ms to wait. */
  private async claimAndSend(): Promise<number> {
    const capacity = this.maxInFlight - this.inFlight.size
    if (capacity <= 0) return this.pollIntervalMs

    const now = this.clock.now()
    const allowed = Math.min(capacity, this.limiter.available(now))
    if (allowed < 1) return this.limiter.waitMs(now)

    const messages = await this.options.store.claim(now, allowed, this.leaseMs)
    this.limiter.take(messages.length, now)
    for (const message of messages) this.track(this.process(message))
    return messages.length === 0 ? this.pollIntervalMs : 0
  }

  /** Sleeps until `ms` pass, a send finishes (freeing a slot) or the worker stops. */
  private async waitForWork(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    const wake = new AbortController()
    const onStop = () => wake.abort()
    signal.addEventListener('abort', onStop, { once: true })
    const sendFinished = this.inFlight.size >= this.maxInFlight ? [...this.inFlight] : []

    await Promise.race([this.clock.sleep(ms, wake.signal), ...sendFinished])
    wake.abort()
    signal.removeEventListener('abort', onStop)
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work)
    void work.finally(() => this.inFlight.delete(work))
  }

  private async process(message: OutboxMessage): Promise<void> {
    const logger = this.options.logger.child({
      outboxId: message.id,
      to: maskMsisdn(message.to),
      attempt: message.attempts,
    })
    try {
      const suppressed = await this.checkSuppression(message)
      if (suppressed !== null) {
        await this.options.store.suppress(message.id, suppressed)
        logger.info({ reason: suppressed }, 'sms suppressed')
        return
      }

      const outcome = await this.send(message)
      await this.record(message, outcome, logger)
    } catch (error) {
      // A store call or the suppression check failed. The message stays leased and is claimed
      // again when the lease ends, so a send whose result was not recorded goes out twice.
      logger.error({ err: error }, 'sms processing failed; the message is retried after its lease')
    }
  }

  private async checkSuppression(message: OutboxMessage): Promise<string | null> {
    if (this.options.isSuppressed === undefined) return null
    const verdict = await this.options.isSuppressed(message.to, message)
    if (verdict === false) return null
    return verdict === true ? 'suppressed' : verdict
  }

  private async send(message: OutboxMessage): Promise<SendOutcome> {
    const request = {
      to: message.to,
      text: message.text,
      ...(message.from ? { from: message.from } : {}),
    }
    try {
      return await this.options.sender.send(request)
    } catch (error) {
      // Senders return failures instead of throwing; a throw is a bug in the sender.
      return sendFailure('invalid-response', `sender threw: ${(error as Error).message}`)
    }
  }

  private async record(
    message: OutboxMessage,
    outcome: SendOutcome,
    logger: Logger,
  ): Promise<void> {
    const { store } = this.options

    if (outcome.status === 'sent') {
      const recorded = await store.complete(message.id, outcome)
      logger.info({ providerMessageId: outcome.messageId, recorded }, 'sms sent')
      return
    }

    const failure = { code: outcome.code, reason: outcome.reason }
    if (outcome.retryable && message.attempts < this.maxAttempts) {
      const delayMs = retryDelayMs(message.attempts, this.backoff, this.random, outcome)
      await store.retryLater(message.id, this.clock.now() + delayMs, outcome)
      logger.warn({ ...failure, retryInMs: delayMs }, 'sms send failed; retrying later')
      return
    }

    await store.fail(message.id, finalOutcome(outcome, message.attempts))
    logger.warn(failure, 'sms send failed')
  }
}

/**
 * Computes the milliseconds before the next attempt after `attempts` failed ones. The delay is
 * `baseMs` doubled per attempt and capped at `maxMs`. A random factor in [0.5, 1) keeps messages
 * that failed together from retrying together, and the provider's `Retry-After` is the minimum.
 */
export function retryDelayMs(
  attempts: number,
  backoff: RetryBackoff,
  random: () => number,
  outcome: FailedOutcome,
): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1))
  const jittered = Math.round(exponential * (0.5 + random() / 2))
  return Math.max(jittered, outcome.retryAfterMs ?? 0)
}

function finalOutcome(outcome: FailedOutcome, attempts: number): FailedOutcome {
  if (!outcome.retryable) return outcome
  return { ...outcome, reason: `${outcome.reason} (gave up after ${attempts} attempts)` }
}
