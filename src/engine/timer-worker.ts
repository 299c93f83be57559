import type { Logger } from 'pino'
import type { SessionStore, TimerRecord } from '../store/session-store.ts'

/** Fires the timers of the sessions one engine owns. */
export interface TimerHandler {
  owns(sessionKey: string): boolean
  fire(timer: TimerRecord, now: number): Promise<void>
}

export interface TimerWorkerOptions {
  readonly store: SessionStore
  readonly handlers: readonly TimerHandler[]
  readonly logger: Logger
  /** Milliseconds between looks for due timers. */
  readonly intervalMs: number
  /** Milliseconds a claimed timer stays hidden from other workers. */
  readonly leaseMs?: number
  /** Timers taken per look. */
  readonly batchSize?: number
  readonly now?: () => number
}

/**
 * Takes due timers from the store and fires them. Several processes can run one each: a claim
 * leases a timer to one worker, and a timer whose worker died comes back after its lease.
 */
export class TimerWorker {
  private timer: ReturnType<typeof setTimeout> | undefined
  private running: Promise<number> | undefined
  private stopped = true

  constructor(private readonly options: TimerWorkerOptions) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.options.logger.info({ intervalMs: this.options.intervalMs }, 'timer worker started')
    this.schedule()
  }

  /** Stops looking for timers and waits for the timers being fired to finish. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    this.options.logger.info('timer worker stopped')
  }

  /** Fires every timer due now and returns how many were taken. */
  async runOnce(): Promise<number> {
    const now = (this.options.now ?? Date.now)()
    const lease = this.options.leaseMs ?? 30_000
    const due = await this.options.store.claimDueTimers(now, this.options.batchSize ?? 50, lease)

    for (const timer of due) {
      const handler = this.options.handlers.find((candidate) => candidate.owns(timer.sessionKey))
      try {
        await handler?.fire(timer, now)
        await this.options.store.completeTimer(timer.id)
      } catch (error) {
        // Left in place, the timer comes back when its lease ends.
        this.options.logger.error(
          { err: error, timer: timer.id },
          'timer failed, it will be retried',
        )
      }
    }
    return due.length
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs)
  }

  private async tick(): Promise<void> {
    this.running = this.runOnce().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'failed to read due timers')
      return 0
    })
    await this.running
    this.schedule()
  }
}
