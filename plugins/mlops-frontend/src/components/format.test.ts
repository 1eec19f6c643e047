import { formatLatency, formatShape, formatUptime } from './format';

describe('format', () => {
  it('formats latencies in ms below a second and in s above', () => {
    expect(formatLatency(undefined)).toBe('—');
    expect(formatLatency(38.4)).toBe('38 ms');
    expect(formatLatency(1840)).toBe('1.84 s');
  });

  it('never rounds uptime up to 100%', () => {
    expect(formatUptime(undefined)).toBe('—');
    expect(formatUptime(1)).toBe('100%');
    expect(formatUptime(0.99999)).toBe('99.99%');
    expect(formatUptime(0.4167)).toBe('41.67%');
  });

  it('shows variable tensor dimensions as any', () => {
    expect(formatShape([-1, 30])).toBe('[any, 30]');
  });
});
