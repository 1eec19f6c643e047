import { EndpointHealth } from '@eks-mlops/backstage-plugin-mlops-common';
import { FailureBackoff, isFailure } from './FailureBackoff';

const MINUTE = 60_000;

function result(
  state: EndpointHealth['state'],
  checkedAt: number,
  extra: Partial<EndpointHealth> = {},
): EndpointHealth {
  return {
    environment: 'prod',
    url: 'http://m',
    state,
    checkedAt: new Date(checkedAt).toISOString(),
    ...extra,
  };
}

describe('FailureBackoff', () => {
  const backoff = new FailureBackoff(MINUTE, 10 * MINUTE);
  const t0 = Date.parse('2026-12-03T10:00:00Z');

  it('doubles the wait per consecutive failure up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map(n => backoff.delayAfter(n))).toEqual([
      MINUTE,
      2 * MINUTE,
      4 * MINUTE,
      8 * MINUTE,
      10 * MINUTE,
      10 * MINUTE,
    ]);
  });

  it('counts only down results as failures, and resets on anything else', () => {
    expect(isFailure(result('down', t0))).toBe(true);
    expect(isFailure(result('degraded', t0))).toBe(false);
    expect(backoff.nextFailures(2, result('down', t0))).toBe(3);
    expect(backoff.nextFailures(2, result('healthy', t0))).toBe(0);
  });

  it('does not back off an endpoint that was not probed (guard refusal, routing failure)', () => {
    const blocked = result('unknown', t0, { errorClass: 'blocked' });
    const notRouted = result('unknown', t0, { errorClass: 'bad-status' });
    expect(isFailure(blocked)).toBe(false);
    expect(isFailure(notRouted)).toBe(false);
    expect(backoff.nextFailures(3, blocked)).toBe(0);
    expect(backoff.nextFailures(3, notRouted)).toBe(0);
    expect(backoff.nextFailures(2, result('down', t0))).toBe(3);
    expect(backoff.nextFailures(2, result('healthy', t0))).toBe(0);
  });

  it('holds a failing endpoint until its wait is over', () => {
    const latest = { health: result('down', t0), failures: 2, hasBeenUp: true };
    expect(backoff.isBackingOff(latest, t0 + MINUTE)).toBe(true);
    expect(backoff.isBackingOff(latest, t0 + 2 * MINUTE)).toBe(false);
    // The next cycle may start a little early and still finds it due.
    expect(backoff.isBackingOff(latest, t0 + 2 * MINUTE - 1000)).toBe(false);
  });

  it('never holds an endpoint that has not failed or was never probed', () => {
    expect(backoff.isBackingOff(undefined, t0)).toBe(false);
    expect(
      backoff.isBackingOff(
        { health: result('healthy', t0), failures: 0, hasBeenUp: true },
        t0,
      ),
    ).toBe(false);
  });

  it('never holds an endpoint that has never been up (its first deploy shows at the next probe)', () => {
    const neverUp = { health: result('down', t0), failures: 6 };
    expect(backoff.isBackingOff(neverUp, t0 + 1)).toBe(false);
    expect(backoff.isBackingOff({ ...neverUp, hasBeenUp: false }, t0 + 1)).toBe(
      false,
    );
    expect(backoff.isBackingOff({ ...neverUp, hasBeenUp: true }, t0 + 1)).toBe(
      true,
    );
  });
});
