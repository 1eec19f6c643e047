import { FailureBackoff } from './FailureBackoff';

describe('FailureBackoff', () => {
  const MINUTE = 60_000;

  it('doubles the wait per consecutive failure up to the cap', () => {
    const backoff = new FailureBackoff(MINUTE, 10 * MINUTE);
    expect([1, 2, 3, 4, 5, 6].map(n => backoff.delayAfter(n))).toEqual([
      MINUTE,
      2 * MINUTE,
      4 * MINUTE,
      8 * MINUTE,
      10 * MINUTE,
      10 * MINUTE,
    ]);
  });

  it('skips a failing endpoint until its wait is over, and one success resets it', () => {
    const backoff = new FailureBackoff(MINUTE, 10 * MINUTE);
    const t0 = 1_000_000;
    expect(backoff.isDue('a', t0)).toBe(true);
    backoff.recordFailure('a', t0);
    expect(backoff.isDue('a', t0 + MINUTE)).toBe(true);
    backoff.recordFailure('a', t0 + MINUTE);
    expect(backoff.isDue('a', t0 + 2 * MINUTE)).toBe(false);
    expect(backoff.isDue('a', t0 + 3 * MINUTE)).toBe(true);
    backoff.recordSuccess('a');
    expect(backoff.failuresOf('a')).toBe(0);
    expect(backoff.isDue('a', t0 + 3 * MINUTE)).toBe(true);
  });

  it('forgets endpoints that are gone', () => {
    const backoff = new FailureBackoff(MINUTE, 10 * MINUTE);
    backoff.recordFailure('a', 0);
    backoff.recordFailure('b', 0);
    backoff.retain(new Set(['b']));
    expect(backoff.failuresOf('a')).toBe(0);
    expect(backoff.failuresOf('b')).toBe(1);
  });
});
