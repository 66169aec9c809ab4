/**
 * Reconnect delays: capped exponential back-off with full jitter. The n-th consecutive
 * failure waits a uniformly random time in [min, min(max, min * 2^(n-1))], so a fleet of
 * shippers that lost the same SIEM does not reconnect in lock-step, and a sink never waits
 * longer than `max`. A successful connection resets the sequence. Transport-agnostic.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Consecutive failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** Delay before the next attempt, counting one more failure. */
  next(): number {
    const ceiling = this.ceiling(this.failures);
    this.failures++;
    const min = Math.max(0, this.minMs);
    return Math.round(min + this.random() * (ceiling - min));
  }

  reset(): void {
    this.failures = 0;
  }

  /** Upper bound of the delay after `failures` earlier failures. */
  private ceiling(failures: number): number {
    const min = Math.max(0, this.minMs);
    const max = Math.max(min, this.maxMs);
    if (min === 0) return max;
    // The exponent is capped so 2^n stays finite; the cap on the delay is reached long before.
    return Math.min(max, min * 2 ** Math.min(failures, 52));
  }
}
