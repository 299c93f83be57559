/**
 * Token bucket that paces sends: tokens refill at `ratePerSecond` up to `burst`, and each send
 * takes one. Pure: the caller passes the time.
 */
export class RateLimiter {
  private tokens: number
  private refilledAt: number

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    if (!(ratePerSecond > 0))
      throw new RangeError(`ratePerSecond must be above 0, not ${ratePerSecond}`)
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, not ${burst}`)
    this.tokens = burst
    this.refilledAt = now
  }

  /** Whole sends allowed at `now`. */
  available(now: number): number {
    this.refill(now)
    return Math.floor(this.tokens)
  }

  /** Milliseconds from `now` until the next send is allowed; 0 when one is allowed now. */
  waitMs(now: number): number {
    this.refill(now)
    if (this.tokens >= 1) return 0
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond)
  }

  take(count: number, now: number): void {
    this.refill(now)
    this.tokens -= count
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt)
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000)
    this.refilledAt = now
  }
}
