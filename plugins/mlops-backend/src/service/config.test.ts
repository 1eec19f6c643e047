import { ConfigReader } from '@backstage/config';
import { DEFAULT_OPTIONS, readMlopsServiceOptions } from './config';

function read(mlops: object) {
  return readMlopsServiceOptions(new ConfigReader({ mlops }));
}

describe('readMlopsServiceOptions', () => {
  it('uses the defaults without config', () => {
    expect(readMlopsServiceOptions(new ConfigReader({}))).toEqual(
      DEFAULT_OPTIONS,
    );
  });

  it('reads durations in every Backstage form and derives dependent defaults', () => {
    const options = read({
      prober: { interval: '30s', timeout: 'PT2S', concurrency: 50 },
      history: { retention: { days: 2 }, summaryRefresh: '0s' },
      outbound: { allowedHosts: ['*.Models.example.com', '::1'] },
      predict: { timeout: { seconds: 10 }, maxRequestBytes: 4096 },
    });
    expect(options.prober).toMatchObject({
      intervalMs: 30_000,
      timeoutMs: 2_000,
      concurrency: 50,
      jitterMs: 3_000,
      staleAfterMs: 60_000,
    });
    expect(options.retentionMs).toBe(2 * 24 * 3600_000);
    expect(options.summaryRefreshMs).toBe(0);
    expect(options.outbound.allowedHosts).toEqual([
      '*.models.example.com',
      '::1',
    ]);
    expect(options.predict).toMatchObject({
      timeoutMs: 10_000,
      maxRequestBytes: 4096,
    });
  });

  it('accepts a jitter of up to a tenth of the interval', () => {
    const options = read({ prober: { interval: '30s', jitter: '3s' } });
    expect(options.prober.jitterMs).toBe(3_000);
    expect(read({ prober: { jitter: '0s' } }).prober.jitterMs).toBe(0);
  });

  it.each([
    [
      { prober: { interval: 'soon' } },
      'mlops.prober.interval is not a duration',
    ],
    [
      { prober: { interval: '100ms' } },
      'mlops.prober.interval is 100 ms; use at least 1000 ms',
    ],
    [
      { prober: { interval: '10s', timeout: '20s' } },
      'mlops.prober.timeout (20000 ms) is longer than prober.interval',
    ],
    [
      { prober: { concurrency: 0 } },
      'mlops.prober.concurrency is 0; use a whole number',
    ],
    [{ prober: { concurrency: 2.5 } }, 'mlops.prober.concurrency is 2.5'],
    [
      { prober: { interval: '30s', jitter: '60s' } },
      'mlops.prober.jitter (60000 ms) is more than a tenth of prober.interval (30000 ms); use at most 3000 ms or lengthen the interval',
    ],
    [
      { prober: { jitter: '6001ms' } },
      'mlops.prober.jitter (6001 ms) is more than a tenth of prober.interval (60000 ms)',
    ],
    [{ history: { retention: '5m' } }, 'mlops.history.retention is 300000 ms'],
    [
      { history: { summaryRefresh: 'hourly' } },
      'mlops.history.summaryRefresh is not a duration',
    ],
    [
      { outbound: { allowedHosts: ['https://models.example.com'] } },
      'mlops.outbound.allowedHosts has the entry "https://models.example.com"',
    ],
    [
      { outbound: { allowedHosts: ['models.example.com:8080'] } },
      'no scheme, port or path',
    ],
    [
      { predict: { maxRequestBytes: -1 } },
      'mlops.predict.maxRequestBytes is -1',
    ],
  ])('rejects %j naming the key and the fix', (mlops, message) => {
    expect(() => read(mlops)).toThrow(message);
  });
});
