import { EndpointHealth } from '@eks-mlops/backstage-plugin-mlops-common';

/**
 * Whether a probe result counts as a failure for the back-off. Only `down`
 * does: an `unknown` result (refused by the outbound guard, invalid target,
 * Kubernetes plugin unreachable) says nothing about the model, and once the
 * adopter fixes the cause the endpoint must be probed on the next cycle.
 */
export function isFailure(health: EndpointHealth): boolean {
  return health.state === 'down';
}

/**
 * Exponential back-off for failing endpoints: after the n-th consecutive
 * failure the next probe waits `interval × 2^(n-1)`, capped at `maxBackoff`;
 * one success resets it. The failure count lives on the endpoint's latest
 * record in the database, so every backend instance (the one running the
 * cycle and the ones answering page views) applies the same back-off.
 *
 * Only endpoints that have been up before are held. One that never answered
 * is usually one whose deploy has not happened yet (a new service's prod,
 * awaiting approval): it is probed every interval, so its first deploy shows
 * within one interval rather than up to `maxBackoff` later.
 */
export class FailureBackoff {
  constructor(
    private readonly intervalMs: number,
    private readonly maxBackoffMs: number,
  ) {}

  /** How long a failing endpoint waits after its latest failure. */
  delayAfter(failures: number): number {
    const factor = 2 ** Math.min(Math.max(failures, 1) - 1, 30);
    return Math.min(this.intervalMs * factor, this.maxBackoffMs);
  }

  /** The failure count after `health`, given the count before it. */
  nextFailures(previous: number, health: EndpointHealth): number {
    return isFailure(health) ? previous + 1 : 0;
  }

  /**
   * Whether an endpoint whose latest result is `latest` is still waiting out
   * its back-off at `now`. A little slack so that an endpoint due at "last
   * cycle + interval" is due at the next cycle even when that cycle starts a
   * few milliseconds early.
   */
  isBackingOff(
    latest:
      | { health: EndpointHealth; failures?: number; hasBeenUp?: boolean }
      | undefined,
    now: number,
  ): boolean {
    const failures = latest?.failures ?? 0;
    if (!latest?.hasBeenUp || failures === 0) return false;
    const checkedAt = Date.parse(latest.health.checkedAt);
    const dueAt = checkedAt + this.delayAfter(failures) - this.intervalMs / 10;
    return now < dueAt;
  }
}
