import path from 'node:path';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { EndpointHealth } from '@eks-mlops/backstage-plugin-mlops-common';
import { DatabaseHealthStore, percentileIndex } from './DatabaseHealthStore';
import { endpointKey } from '../endpoints';
import { HealthHistoryOptions } from './HealthStore';

jest.setTimeout(60_000);

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

// SQLite always runs. PostgreSQL runs when its connection string is set, e.g.
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=
//   postgresql://postgres:postgres@localhost:5432
// (started by .ci/run); Docker is never used, so unset versions are skipped.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'POSTGRES_16', 'POSTGRES_17'],
  disableDocker: true,
});

const MIGRATIONS = path.resolve(__dirname, '../../../migrations');
const HAS_BEEN_UP = '20261207000000_has_been_up.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ENTITY = 'component:default/iris-classifier';

function at(offsetMs: number): string {
  return new Date(NOW.getTime() + offsetMs).toISOString();
}

function probe(overrides: Partial<EndpointHealth> = {}): EndpointHealth {
  return {
    environment: 'default',
    url: 'http://iris.example.com',
    state: 'healthy',
    live: true,
    ready: true,
    modelReady: true,
    latencyMs: 12,
    httpStatus: 200,
    checkedAt: NOW.toISOString(),
    ...overrides,
  };
}

function down(checkedAt: string): EndpointHealth {
  return {
    environment: 'default',
    url: 'http://iris.example.com',
    state: 'down',
    errorClass: 'timeout',
    errorMessage: 'live: timed out after 2000 ms',
    checkedAt,
  };
}

/** The history of one environment of ENTITY, asked on its own. */
async function historyOf(
  store: DatabaseHealthStore,
  environment: string,
  since: Date,
  options?: HealthHistoryOptions,
) {
  const histories = await store.histories(
    ENTITY,
    [environment],
    since,
    options,
  );
  return histories.get(environment)!;
}

async function createStore(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  const database: DatabaseService = { getClient: async () => knex };
  const store = await DatabaseHealthStore.create({ database });
  return { knex, store };
}

async function tableNames(knex: Knex): Promise<string[]> {
  const names = [];
  for (const table of ['mlops_probe_results', 'mlops_endpoint_latest']) {
    if (await knex.schema.hasTable(table)) names.push(table);
  }
  return names;
}

describe('percentileIndex', () => {
  it('places ranks like percentile_cont', () => {
    expect(percentileIndex(50, 10)).toEqual({ index: 4, remainder: 50 });
    expect(percentileIndex(95, 10)).toEqual({ index: 8, remainder: 55 });
    expect(percentileIndex(95, 1)).toEqual({ index: 0, remainder: 0 });
  });
});

describe('DatabaseHealthStore', () => {
  it('runs against at least SQLite', () => {
    expect(databases.eachSupportedId().length).toBeGreaterThan(0);
  });

  // .ci/run starts a real PostgreSQL; in CI its absence is a failure, not a silent skip.
  const expectPostgres = Boolean(process.env.CI);
  it(`runs against PostgreSQL too${
    expectPostgres ? '' : ' (when a connection string is set)'
  }`, () => {
    const postgres = databases
      .eachSupportedId()
      .filter(([id]) => id.startsWith('POSTGRES'));
    expect(postgres.length).toBeGreaterThanOrEqual(expectPostgres ? 1 : 0);
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('migrates up and down', async () => {
      const knex = await databases.init(databaseId);
      const database: DatabaseService = { getClient: async () => knex };

      await DatabaseHealthStore.create({ database, skipMigrations: true });
      expect(await tableNames(knex)).toEqual([]);

      await DatabaseHealthStore.create({
        database: { ...database, migrations: { skip: true } },
      });
      expect(await tableNames(knex)).toEqual([]);

      await DatabaseHealthStore.create({ database });
      expect(await tableNames(knex)).toEqual([
        'mlops_probe_results',
        'mlops_endpoint_latest',
      ]);
      // Idempotent on a second start.
      await DatabaseHealthStore.create({ database });

      await DatabaseHealthStore.rollbackMigrations(knex);
      expect(await tableNames(knex)).toEqual([]);
    });

    it('keeps that an endpoint has been up, whatever follows and whichever write it came in', async () => {
      const { store } = await createStore(databaseId);
      const hasBeenUp = async () =>
        (await store.latest([ENTITY])).map(r => r.hasBeenUp);

      await store.record(ENTITY, down(at(-5 * MINUTE)), 1);
      expect(await hasBeenUp()).toEqual([false]);
      await store.record(ENTITY, probe({ state: 'degraded' }));
      await store.record(ENTITY, down(at(MINUTE)), 1);
      expect(await hasBeenUp()).toEqual([true]);

      // In one batch: the newest result is down, an older one was up.
      await store.recordMany([
        {
          entityRef: 'component:default/batch',
          health: down(at(2 * MINUTE)),
          failures: 2,
        },
        {
          entityRef: 'component:default/batch',
          health: probe({ checkedAt: at(MINUTE) }),
        },
      ]);
      const [batch] = await store.latest(['component:default/batch']);
      expect(batch).toMatchObject({
        failures: 2,
        hasBeenUp: true,
        health: { state: 'down' },
      });
    });

    it('migrates existing endpoints as up when their latest result or their history was', async () => {
      const { knex } = await createStore(databaseId);
      await knex.migrate.down({ directory: MIGRATIONS, name: HAS_BEEN_UP });
      const probeRow = (entity: string, state: string, checkedAt: number) => ({
        entity_ref: entity,
        environment: 'prod',
        url: 'http://m',
        state,
        checked_at: new Date(checkedAt),
      });
      const latestRow = (entity: string, state: string) => ({
        ...probeRow(entity, state, NOW.getTime()),
        failures: state === 'down' ? 3 : 0,
      });
      await knex('mlops_endpoint_latest').insert([
        latestRow('component:default/up-now', 'healthy'),
        latestRow('component:default/up-before', 'down'),
        latestRow('component:default/never-up', 'down'),
      ]);
      await knex('mlops_probe_results').insert([
        probeRow(
          'component:default/up-before',
          'degraded',
          NOW.getTime() - HOUR,
        ),
        probeRow('component:default/never-up', 'down', NOW.getTime() - HOUR),
      ]);

      await knex.migrate.up({ directory: MIGRATIONS, name: HAS_BEEN_UP });
      const store = await DatabaseHealthStore.create({
        database: { getClient: async () => knex },
      });
      expect(
        (await store.latest()).map(r => [r.entityRef, r.hasBeenUp]),
      ).toEqual([
        ['component:default/never-up', false],
        ['component:default/up-before', true],
        ['component:default/up-now', true],
      ]);
    });

    it('records results and returns the latest per entity and environment', async () => {
      const { store } = await createStore(databaseId);
      const model = {
        name: 'iris',
        versions: ['3'],
        platform: 'sklearn',
        inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [{ name: 'output-0', datatype: 'INT64', shape: [-1] }],
      };

      await store.record(ENTITY, probe({ checkedAt: at(-2 * MINUTE) }));
      await store.record(
        ENTITY,
        probe({ checkedAt: at(-MINUTE), latencyMs: 33.4, model }),
      );
      // An older result arriving late does not replace the newer one.
      await store.record(ENTITY, down(at(-10 * MINUTE)));
      await store.record(
        ENTITY,
        probe({
          environment: 'staging',
          url: 'http://iris-staging.example.com',
          state: 'degraded',
          live: true,
          ready: false,
          modelReady: false,
          httpStatus: 503,
          errorClass: 'bad-status',
          errorMessage: 'ready returned HTTP 503',
          latencyMs: 5,
        }),
      );
      await store.record('component:default/other', down(at(0)), 4);

      expect(await store.latest([ENTITY])).toEqual([
        {
          entityRef: ENTITY,
          failures: 0,
          hasBeenUp: true,
          health: {
            environment: 'default',
            url: 'http://iris.example.com',
            state: 'healthy',
            live: true,
            ready: true,
            modelReady: true,
            latencyMs: 33,
            httpStatus: 200,
            model,
            checkedAt: at(-MINUTE),
          },
        },
        {
          entityRef: ENTITY,
          failures: 0,
          hasBeenUp: true,
          health: {
            environment: 'staging',
            url: 'http://iris-staging.example.com',
            state: 'degraded',
            live: true,
            ready: false,
            modelReady: false,
            latencyMs: 5,
            httpStatus: 503,
            errorClass: 'bad-status',
            errorMessage: 'ready returned HTTP 503',
            checkedAt: at(0),
          },
        },
      ]);

      const all = await store.latest();
      expect(all.map(e => [e.entityRef, e.health.environment])).toEqual([
        ['component:default/iris-classifier', 'default'],
        ['component:default/iris-classifier', 'staging'],
        ['component:default/other', 'default'],
      ]);
      expect(all[2].health).toEqual(down(at(0)));
      // The failure count travels with the latest result (the shared back-off).
      expect(all[2]).toMatchObject({ failures: 4, hasBeenUp: false });
      const states = await store.probeStates();
      const byEndpoint = (a: (typeof all)[0], b: (typeof all)[0]) =>
        a.entityRef.localeCompare(b.entityRef) ||
        a.health.environment.localeCompare(b.health.environment);
      expect(
        states
          .sort(byEndpoint)
          .map(({ entityRef, health, failures, hasBeenUp }) => [
            entityRef,
            health.environment,
            health.state,
            health.checkedAt,
            failures,
            hasBeenUp,
          ]),
      ).toEqual(
        all.map(({ entityRef, health, failures, hasBeenUp }) => [
          entityRef,
          health.environment,
          health.state,
          health.checkedAt,
          failures,
          hasBeenUp,
        ]),
      );
      expect(await store.latest(['component:default/missing'])).toEqual([]);
      expect(await store.latest([])).toEqual([]);
    });

    it('computes uptime and latency percentiles on known data', async () => {
      const { knex, store } = await createStore(databaseId);
      // Latencies 10..100 in a shuffled order, plus two failed probes.
      const latencies = [70, 10, 100, 40, 20, 90, 30, 60, 80, 50];
      await store.recordMany([
        ...latencies.map((latencyMs, i) => ({
          entityRef: ENTITY,
          health: probe({ latencyMs, checkedAt: at(-(i + 1) * HOUR) }),
        })),
        { entityRef: ENTITY, health: down(at(-30 * MINUTE)) },
        { entityRef: ENTITY, health: down(at(-90 * MINUTE)) },
        {
          entityRef: 'component:default/single',
          health: probe({ latencyMs: 42 }),
        },
      ]);

      const summaries = await store.summaries(
        [ENTITY, 'component:default/single'],
        NOW,
      );
      expect(summaries).toHaveLength(2);
      const [iris, single] = summaries;
      expect(iris.health.state).toBe('down');
      expect(iris.health.checkedAt).toBe(at(-30 * MINUTE));
      expect(iris.health.uptime24h).toBe(10 / 12);
      // percentile_cont: 50 + (60 - 50) * 0.5 and 90 + (100 - 90) * 0.55.
      expect(iris.health.p50LatencyMs).toBe(55);
      expect(iris.health.p95LatencyMs).toBe(95.5);
      expect(single.health).toMatchObject({
        uptime24h: 1,
        p50LatencyMs: 42,
        p95LatencyMs: 42,
      });

      // Same definition as PostgreSQL's own percentile_cont, which rounds
      // its position in floating point (95.49999999999999 here).
      const native = databaseId.startsWith('POSTGRES')
        ? await knex('mlops_probe_results')
            .where({ entity_ref: ENTITY })
            .whereNotNull('latency_ms')
            .first(
              knex.raw(
                'percentile_cont(0.5) within group (order by latency_ms) as p50',
              ),
              knex.raw(
                'percentile_cont(0.95) within group (order by latency_ms) as p95',
              ),
            )
        : { p50: 55, p95: 95.5 };
      expect(Number(native.p50)).toBeCloseTo(55, 9);
      expect(Number(native.p95)).toBeCloseTo(95.5, 9);

      // Without a filter: the same figures.
      expect(await store.summaries(undefined, NOW)).toEqual(summaries);
    });

    it('leaves the probes that found an environment not deployed yet out of its uptime', async () => {
      const { store } = await createStore(databaseId);
      const notDeployed = (checkedAt: string): EndpointHealth => ({
        ...down(checkedAt),
        state: 'unknown',
        errorClass: 'not-deployed',
        errorMessage: 'not deployed yet: prod has no Terraform state',
      });
      await store.recordMany([
        ...[-5, -4, -3].map(h => ({
          entityRef: ENTITY,
          health: notDeployed(at(h * HOUR)),
        })),
        { entityRef: ENTITY, health: down(at(-2 * HOUR)) },
        { entityRef: ENTITY, health: probe({ checkedAt: at(-HOUR) }) },
        {
          entityRef: 'component:default/waiting',
          health: notDeployed(at(-HOUR)),
        },
      ]);

      const stats = await store.windowStats(
        [ENTITY, 'component:default/waiting'],
        NOW,
      );
      expect(stats.get(endpointKey(ENTITY, 'default'))?.uptime24h).toBe(1 / 2);
      expect(
        stats.get(endpointKey('component:default/waiting', 'default')),
      ).toBeUndefined();
    });

    it('counts degraded latencies and excludes failures from percentiles', async () => {
      const { store } = await createStore(databaseId);
      await store.recordMany([
        {
          entityRef: ENTITY,
          health: probe({ latencyMs: 10, checkedAt: at(-3 * MINUTE) }),
        },
        {
          entityRef: ENTITY,
          health: probe({
            state: 'degraded',
            latencyMs: 20,
            checkedAt: at(-2 * MINUTE),
          }),
        },
        {
          entityRef: ENTITY,
          health: { ...down(at(-MINUTE)), latencyMs: 2000 },
        },
      ]);
      const [summary] = await store.summaries([ENTITY], NOW);
      expect(summary.health.uptime24h).toBe(1 / 3);
      expect(summary.health.p50LatencyMs).toBe(15);
      expect(summary.health.p95LatencyMs).toBe(19.5);
    });

    it('uses a 24-hour window excluding its start and including now', async () => {
      const { store } = await createStore(databaseId);
      await store.recordMany([
        // Exactly 24 h old: outside.
        { entityRef: ENTITY, health: down(at(-24 * HOUR)) },
        // Older still: outside.
        { entityRef: ENTITY, health: down(at(-25 * HOUR)) },
        // 1 ms inside the window.
        {
          entityRef: ENTITY,
          health: probe({ latencyMs: 100, checkedAt: at(-24 * HOUR + 1) }),
        },
        // Exactly now: inside.
        {
          entityRef: ENTITY,
          health: probe({ latencyMs: 200, checkedAt: at(0) }),
        },
        // In the future relative to `now`: outside.
        { entityRef: ENTITY, health: down(at(1)) },
      ]);

      const [summary] = await store.summaries([ENTITY], NOW);
      expect(summary.health.uptime24h).toBe(1);
      expect(summary.health.p50LatencyMs).toBe(150);
      expect(summary.health.p95LatencyMs).toBe(195);

      // A day later nothing is in the window: no uptime, no latency.
      const [later] = await store.summaries(
        [ENTITY],
        new Date(NOW.getTime() + 25 * HOUR),
      );
      expect(later.health.uptime24h).toBeUndefined();
      expect(later.health.p50LatencyMs).toBeUndefined();
      expect(later.health.p95LatencyMs).toBeUndefined();
      expect(later.health.state).toBe('down');
    });

    it('downsamples history to the point budget', async () => {
      const { store } = await createStore(databaseId);
      const since = new Date(NOW.getTime() - 24 * HOUR);
      // One probe every 30 s for 24 h: 2,880 probes, every tenth one down.
      const results = Array.from({ length: 2880 }, (_, i) => {
        const checkedAt = new Date(since.getTime() + i * 30_000).toISOString();
        return {
          entityRef: ENTITY,
          health:
            i % 10 === 9
              ? down(checkedAt)
              : probe({ latencyMs: 10 + (i % 10), checkedAt }),
        };
      });
      results.push({
        entityRef: ENTITY,
        health: probe({ environment: 'staging', checkedAt: at(-HOUR) }),
      });
      await store.recordMany(results);

      const points = await historyOf(store, 'default', since, {
        until: NOW,
      });
      expect(points).toHaveLength(288);
      expect(points[0]).toEqual({
        checkedAt: since.toISOString(),
        samples: 10,
        uptime: 0.9,
        state: 'down',
        latencyMs: 14,
      });
      expect(points.reduce((sum, p) => sum + p.samples, 0)).toBe(2880);
      for (let i = 1; i < points.length; i++) {
        expect(Date.parse(points[i].checkedAt)).toBeGreaterThan(
          Date.parse(points[i - 1].checkedAt),
        );
      }

      const small = await historyOf(store, 'default', since, {
        until: NOW,
        maxPoints: 7,
      });
      expect(small.length).toBeLessThanOrEqual(7);
      expect(small.reduce((sum, p) => sum + p.samples, 0)).toBe(2880);

      // Few probes: one point each, with their own times.
      const recent = await historyOf(
        store,
        'default',
        new Date(NOW.getTime() - 2 * MINUTE),
        {
          until: NOW,
        },
      );
      expect(recent).toEqual([
        {
          checkedAt: at(-2 * MINUTE),
          samples: 1,
          uptime: 1,
          state: 'healthy',
          latencyMs: 16,
        },
        {
          checkedAt: at(-90_000),
          samples: 1,
          uptime: 1,
          state: 'healthy',
          latencyMs: 17,
        },
        {
          checkedAt: at(-MINUTE),
          samples: 1,
          uptime: 1,
          state: 'healthy',
          latencyMs: 18,
        },
        { checkedAt: at(-30_000), samples: 1, uptime: 0, state: 'down' },
      ]);

      expect(await historyOf(store, 'staging', since, { until: NOW })).toEqual([
        {
          checkedAt: at(-HOUR),
          samples: 1,
          uptime: 1,
          state: 'healthy',
          latencyMs: 12,
        },
      ]);
      expect(await historyOf(store, 'missing', since, { until: NOW })).toEqual(
        [],
      );

      // Several environments in one query give the same points.
      const both = await store.histories(
        ENTITY,
        ['default', 'staging', 'missing'],
        since,
        { until: NOW },
      );
      expect([...both.keys()]).toEqual(['default', 'staging', 'missing']);
      expect(both.get('staging')).toEqual(
        await historyOf(store, 'staging', since, { until: NOW }),
      );
      expect(both.get('default')).toEqual(
        await historyOf(store, 'default', since, { until: NOW }),
      );
      expect(both.get('missing')).toEqual([]);
    });

    it('deletes only rows older than the retention cutoff', async () => {
      const { knex, store } = await createStore(databaseId);
      const cutoff = new Date(NOW.getTime() - 7 * 24 * HOUR);
      await store.recordMany([
        { entityRef: ENTITY, health: probe({ checkedAt: at(-8 * 24 * HOUR) }) },
        {
          entityRef: ENTITY,
          health: probe({ checkedAt: at(-7 * 24 * HOUR - 1) }),
        },
        { entityRef: ENTITY, health: probe({ checkedAt: at(-7 * 24 * HOUR) }) },
        { entityRef: ENTITY, health: probe({ checkedAt: at(-HOUR) }) },
        // An endpoint no longer probed since before the cutoff.
        {
          entityRef: 'component:default/gone',
          health: probe({ checkedAt: at(-9 * 24 * HOUR) }),
        },
      ]);

      expect(await store.deleteOlderThan(cutoff)).toBe(3);
      const remaining = await knex('mlops_probe_results')
        .orderBy('checked_at')
        .select('checked_at');
      expect(remaining.map(r => new Date(r.checked_at).toISOString())).toEqual([
        at(-7 * 24 * HOUR),
        at(-HOUR),
      ]);
      expect((await store.latest()).map(e => e.entityRef)).toEqual([ENTITY]);
      expect(await store.deleteOlderThan(cutoff)).toBe(0);
    });

    it('records more than 1,000 results in one call', async () => {
      const { knex, store } = await createStore(databaseId);
      const results = Array.from({ length: 2500 }, (_, i) => ({
        entityRef: `component:default/model-${i % 1250}`,
        health: probe({
          latencyMs: i,
          checkedAt: at(i < 1250 ? -30_000 : 0),
          model: { name: `model-${i}`, versions: ['1'] },
        }),
      }));
      await store.recordMany(results);

      const [{ count }] = await knex('mlops_probe_results').count({
        count: '*',
      });
      expect(Number(count)).toBe(2500);
      const latest = await store.latest();
      expect(latest).toHaveLength(1250);
      const model7 = latest.find(
        e => e.entityRef === 'component:default/model-7',
      )!;
      expect(model7.health.latencyMs).toBe(1257);
      expect(model7.health.checkedAt).toBe(at(0));

      // Summaries over more entity refs than one IN list holds.
      const summaries = await store.summaries(
        latest.map(e => e.entityRef),
        NOW,
      );
      expect(summaries).toHaveLength(1250);
      expect(
        summaries.find(e => e.entityRef === 'component:default/model-7')!
          .health,
      ).toMatchObject({
        uptime24h: 1,
        p50LatencyMs: 632,
        p95LatencyMs: 1194.5,
      });
    });

    it('rejects an invalid time without writing anything', async () => {
      const { knex, store } = await createStore(databaseId);
      await expect(
        store.recordMany([
          { entityRef: ENTITY, health: probe() },
          { entityRef: ENTITY, health: probe({ checkedAt: 'yesterday' }) },
        ]),
      ).rejects.toThrow(/Invalid checkedAt/);
      const [{ count }] = await knex('mlops_probe_results').count({
        count: '*',
      });
      expect(Number(count)).toBe(0);
    });
  });
});
