interface FailureState {
  failures: number;
  nextAttemptAt: number;
}

/**
 * Exponential back-off for failing endpoints: after the n-th consecutive
 * failure the next probe waits `interval × 2^(n-1)`, capped at `maxBackoff`;
 * one success resets it. Endpoints never seen are always due.
 */
export class FailureBackoff {
  private readonly states = new Map<string, FailureState>();

  constructor(
    private readonly intervalMs: number,
    private readonly maxBackoffMs: number,
  ) {}

  isDue(key: string, now: number): boolean {
    const state = this.states.get(key);
    return !state || state.nextAttemptAt <= now;
  }

  /** How long a failing endpoint waits after its latest failure. */
  delayAfter(failures: number): number {
    const factor = 2 ** Math.min(failures - 1, 30);
    return Math.min(this.intervalMs * factor, this.maxBackoffMs);
  }

  recordSuccess(key: string): void {
    this.states.delete(key);
  }

  recordFailure(key: string, now: number): number {
    const failures = (this.states.get(key)?.failures ?? 0) + 1;
    // A little slack so an endpoint due "now + interval" is due at the next
    // cycle even when that cycle starts a few milliseconds early.
    const nextAttemptAt =
      now + this.delayAfter(failures) - this.intervalMs / 10;
    this.states.set(key, { failures, nextAttemptAt });
    return failures;
  }

  failuresOf(key: string): number {
    return this.states.get(key)?.failures ?? 0;
  }

  /** Drops state of endpoints that no longer exist. */
  retain(keys: Set<string>): void {
    for (const key of this.states.keys()) {
      if (!keys.has(key)) this.states.delete(key);
    }
  }
}
