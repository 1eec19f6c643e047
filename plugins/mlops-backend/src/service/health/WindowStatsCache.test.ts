import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { EndpointHealth } from '@eks-mlops/backstage-plugin-mlops-common';
import { endpointKey } from '../endpoints';
import { DatabaseHealthStore } from '../store';
import { WindowStatsCache } from './WindowStatsCache';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const START = Date.parse('2026-12-03T12:00:00.000Z');
const MINUTE = 60_000;
const REFRESH = 5 * MINUTE;

function probe(state: EndpointHealth['state'], atMs: number): EndpointHealth {
  return {
    environment: 'default',
    url: 'http://iris.example.com',
    state,
    latencyMs: state === 'healthy' ? 10 : undefined,
    checkedAt: new Date(atMs).toISOString(),
  };
}

const entity = (i: number) => `component:default/model-${i}`;

async function setUp() {
  const knex = await databases.init('SQLITE_3');
  const database: DatabaseService = { getClient: async () => knex };
  const store = await DatabaseHealthStore.create({ database });
  const clock = { now: START };
  const windowStats = jest.spyOn(store, 'windowStats');
  const cache = new WindowStatsCache(store, REFRESH, () => clock.now);
  const statsOf = async (ref: string) =>
    (await cache.statsFor(await store.latest())).get(
      endpointKey(ref, 'default'),
    );
  return { store, clock, cache, windowStats, statsOf };
}

describe('WindowStatsCache', () => {
  it('reuses the 24-hour figures until they are summaryRefresh old, then recomputes them', async () => {
    const { store, clock, statsOf } = await setUp();
    await store.record(entity(1), probe('healthy', START - MINUTE));
    expect(await statsOf(entity(1))).toEqual({
      uptime24h: 1,
      p50LatencyMs: 10,
      p95LatencyMs: 10,
    });

    await store.record(entity(1), probe('down', START), 1);
    clock.now = START + REFRESH - 1;
    expect((await statsOf(entity(1)))?.uptime24h).toBe(1);

    clock.now = START + REFRESH;
    expect((await statsOf(entity(1)))?.uptime24h).toBe(0.5);
  });

  it('computes an endpoint the cached figures lack at once', async () => {
    const { store, clock, statsOf, windowStats } = await setUp();
    await store.record(entity(1), probe('healthy', START - MINUTE));
    await statsOf(entity(1));

    await store.record(entity(2), probe('down', START));
    clock.now = START + MINUTE;
    expect((await statsOf(entity(2)))?.uptime24h).toBe(0);
    expect(windowStats).toHaveBeenLastCalledWith(
      [entity(2)],
      new Date(START + MINUTE),
    );
  });

  it('does not ask again for an endpoint without probes in the window', async () => {
    const { store, clock, statsOf, windowStats } = await setUp();
    // Probed two days ago: a latest result, but nothing in the 24-hour window.
    await store.record(entity(1), probe('healthy', START - 48 * 60 * MINUTE));
    expect(await statsOf(entity(1))).toEqual({});
    clock.now = START + MINUTE;
    expect(await statsOf(entity(1))).toEqual({});
    expect(windowStats).toHaveBeenCalledTimes(1);
  });

  it('recomputes in queries of at most 20 entities', async () => {
    const { store, cache, windowStats } = await setUp();
    await store.recordMany(
      Array.from({ length: 45 }, (_, i) => ({
        entityRef: entity(i),
        health: probe('healthy', START - MINUTE),
        failures: 0,
      })),
    );
    const stats = await cache.statsFor(await store.latest());
    expect(windowStats.mock.calls.map(([refs]) => refs?.length)).toEqual([
      20, 20, 5,
    ]);
    expect(stats.size).toBe(45);
    expect([...stats.values()].every(s => s.uptime24h === 1)).toBe(true);
  });

  it('recomputes on every call when summaryRefresh is 0', async () => {
    const { store } = await setUp();
    const cache = new WindowStatsCache(store, 0, () => START);
    await store.record(entity(1), probe('healthy', START - MINUTE));
    const key = endpointKey(entity(1), 'default');
    expect((await cache.statsFor(await store.latest())).get(key)).toEqual(
      expect.objectContaining({ uptime24h: 1 }),
    );
    await store.record(entity(1), probe('down', START), 1);
    expect((await cache.statsFor(await store.latest())).get(key)).toEqual(
      expect.objectContaining({ uptime24h: 0.5 }),
    );
  });

  it('gives the same figures as the store summaries', async () => {
    const { store, cache } = await setUp();
    await store.record(entity(1), probe('healthy', START - 2 * MINUTE));
    await store.record(entity(1), probe('down', START - MINUTE), 1);
    await store.record(entity(2), probe('healthy', START - MINUTE));
    const latest = await store.latest();
    const stats = await cache.statsFor(latest);
    const summaries = await store.summaries(undefined, new Date(START));
    expect(
      latest.map(r => ({
        ...r,
        health: {
          ...r.health,
          ...stats.get(endpointKey(r.entityRef, r.health.environment)),
        },
      })),
    ).toEqual(summaries);
  });
});
