/*
 * Two backend instances of the mlops plugin, each its own process, on one
 * PostgreSQL database and one Redis cache: the probe cycle (a global
 * SchedulerService task) runs once per interval across both, both answer the
 * fleet alike, the survivor takes over when the instance running the cycle is
 * killed, and every completed cycle is in the history.
 *
 * Needs PostgreSQL (`source .ci/ensure-postgres.sh`) and Redis
 * (`source .ci/ensure-redis.sh`); skipped without them, failing in CI.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import {
  FleetResponse,
  MLOPS_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { randomBytes } from 'node:crypto';
import { freePort } from '@internal/local-processes';
import {
  BackendInstance,
  LogLine,
} from './__testUtils__/scaleOut/BackendInstance';
import { ModelEndpoints } from './__testUtils__/scaleOut/ModelEndpoints';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const INTERVAL_MS = 3_000;
/** The scheduler looks for due work every interval (at most every 5 s). */
const SCHEDULER_POLL_MS = Math.min(INTERVAL_MS, 5_000);
/** Database round trips and event-loop delay around a claim or a log line. */
const CLAIM_SLACK_MS = 500;
const STARTUP_TIMEOUT_MS = 60_000;
/** Cycles observed to judge the rhythm of the schedule. */
const RHYTHM_CYCLES = 6;
const SERVICES = 4;

const databases = TestDatabases.create({
  ids: ['POSTGRES_18', 'POSTGRES_17', 'POSTGRES_16', 'POSTGRES_15'],
  disableDocker: true,
});
const postgresId = databases
  .eachSupportedId()
  .map(([id]) => id)
  .find(id => id.startsWith('POSTGRES')) as TestDatabaseId | undefined;
const redisUrl = process.env.MLOPS_TEST_REDIS_URL;
const servicesAvailable = Boolean(postgresId && redisUrl);

interface Cycle {
  instance: string;
  startedAt: number;
  endedAt: number;
  probed: number;
  endpoints: number;
}

function cyclesOf(instance: BackendInstance): Cycle[] {
  return instance.lines.flatMap(line => {
    const match =
      /^probe cycle: (\d+) of (\d+) endpoints probed .* in (\d+) ms/.exec(
        line.message ?? '',
      );
    if (!match) return [];
    const durationMs = Number(match[3]);
    return [
      {
        instance: instance.name,
        startedAt: line.time - durationMs,
        endedAt: line.time,
        probed: Number(match[1]),
        endpoints: Number(match[2]),
      },
    ];
  });
}

function allCycles(instances: BackendInstance[]): Cycle[] {
  return instances.flatMap(cyclesOf).sort((a, b) => a.startedAt - b.startedAt);
}

const isCycleLine = (line: LogLine) =>
  (line.message ?? '').startsWith('probe cycle:');

/** Four services, one of them with a second environment: five endpoints. */
function entities(endpoints: ModelEndpoints): Entity[] {
  return Array.from({ length: SERVICES }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `model-${i}`,
      annotations: {
        [MLOPS_ANNOTATIONS.inferenceUrl]: endpoints.url(i),
        ...(i === 0
          ? {
              [MLOPS_ANNOTATIONS.inferenceEnvironment]: 'prod',
              [`${MLOPS_ANNOTATIONS.inferenceUrl}-staging`]:
                endpoints.url(SERVICES),
            }
          : {}),
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  }));
}
const ENDPOINTS = SERVICES + 1;

function instanceConfig(options: {
  port: number;
  token: string;
  database: JsonObject;
  cacheNamespace: string;
}): JsonObject {
  return {
    backend: {
      baseUrl: `http://127.0.0.1:${options.port}`,
      listen: { host: '127.0.0.1', port: options.port },
      database: {
        client: 'pg',
        connection: options.database,
        pluginDivisionMode: 'schema',
      },
      cache: {
        store: 'redis',
        connection: redisUrl!,
        redis: { client: { namespace: options.cacheNamespace } },
      },
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: options.token, subject: 'scale-out-test' },
          },
        ],
      },
    },
    mlops: {
      prober: { interval: `${INTERVAL_MS}ms`, jitter: '0s', timeout: '2s' },
      outbound: { allowPrivateNetworks: true },
    },
  };
}

describe('the mlops backend scaled out to two instances', () => {
  // .ci/run starts PostgreSQL and Redis; in CI their absence is a failure.
  const required = Boolean(process.env.CI);
  it(`has PostgreSQL and Redis to run on${
    required ? '' : ' (skipped without them)'
  }`, () => {
    const missing = [
      postgresId ? [] : ['PostgreSQL: source .ci/ensure-postgres.sh'],
      redisUrl ? [] : ['Redis: source .ci/ensure-redis.sh'],
    ].flat();
    expect(required ? missing : []).toEqual([]);
  });

  (servicesAvailable ? describe : describe.skip)(
    'on one PostgreSQL and a shared Redis',
    () => {
      const token = randomBytes(24).toString('hex');
      let endpoints: ModelEndpoints;
      let knex: Knex;
      const instances: BackendInstance[] = [];

      const fleetOf = async (instance: BackendInstance) => {
        const response = await instance.request('/api/mlops/v1/fleet', token);
        expect(response.status).toBe(200);
        return response.text();
      };

      /** The instance whose scheduler is running the probe cycle right now. */
      const cycleRunners = async () => {
        const running = [];
        for (const instance of instances.filter(i => i.running)) {
          const response = await instance.request(
            '/api/mlops/.backstage/scheduler/v1/tasks',
            token,
          );
          const { tasks } = (await response.json()) as {
            tasks: { taskId: string; workerState: { status: string } }[];
          };
          const cycle = tasks.find(t => t.taskId === 'mlops-probe-cycle');
          if (cycle?.workerState.status === 'running') running.push(instance);
        }
        return running;
      };

      const waitForCycles = async (count: number, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (allCycles(instances).length < count) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) {
            throw new Error(
              `only ${
                allCycles(instances).length
              } of ${count} probe cycles within ${timeoutMs} ms`,
            );
          }
          await Promise.race(
            instances
              .filter(i => i.running)
              .map(i => i.waitForLine(isCycleLine, remaining, i.lines.length)),
          );
        }
      };

      beforeAll(async () => {
        endpoints = await ModelEndpoints.start();
        knex = await databases.init(postgresId!);
        const connection = knex.client.config.connection as JsonObject;
        // knex keeps the password as a hidden property, which JSON would drop.
        const database = { ...connection, password: connection.password };
        const cacheNamespace = `mlops-scale-out-${randomBytes(6).toString(
          'hex',
        )}`;
        // One after the other, as a rolling deployment starts them: backends
        // starting at the same moment on an empty database race to create
        // Backstage's migration tables.
        for (const name of ['a', 'b']) {
          const port = await freePort();
          const instance = BackendInstance.launch(name, port, {
            config: instanceConfig({ port, token, database, cacheNamespace }),
            entities: entities(endpoints),
          });
          instances.push(instance);
          await instance.waitUntilStarted(STARTUP_TIMEOUT_MS);
        }
      }, 2 * STARTUP_TIMEOUT_MS);

      afterAll(async () => {
        await Promise.all(instances.map(i => i.stop()));
        await endpoints?.close();
      }, 30_000);

      it(
        'runs exactly one probe cycle per interval across both instances',
        async () => {
          await waitForCycles(
            RHYTHM_CYCLES + 1,
            (RHYTHM_CYCLES + 3) * INTERVAL_MS + 10_000,
          );
          // The first cycle follows start-up; the rhythm is judged after it.
          const cycles = allCycles(instances).slice(1, RHYTHM_CYCLES + 1);
          const overlapping = cycles
            .slice(1)
            .filter((next, i) => next.startedAt < cycles[i].endedAt);
          expect(overlapping).toEqual([]);
          // Each cycle starts at its due time plus at most one scheduler poll
          // (and the database round trips of claiming it).
          const span =
            cycles[cycles.length - 1].startedAt - cycles[0].startedAt;
          expect(
            Math.abs(span - (cycles.length - 1) * INTERVAL_MS),
          ).toBeLessThan(SCHEDULER_POLL_MS + CLAIM_SLACK_MS);
          expect(cycles.every(c => c.probed === ENDPOINTS)).toBe(true);
        },
        (RHYTHM_CYCLES + 3) * INTERVAL_MS + 20_000,
      );

      it(
        'answers GET /api/mlops/v1/fleet identically on both instances',
        async () => {
          // While a cycle is held open, no newer snapshot can be written.
          await endpoints.holdNextReadyCheck(0);
          try {
            const [a, b] = await Promise.all(instances.map(fleetOf));
            expect(b).toBe(a);
            const fleet = JSON.parse(a) as FleetResponse;
            expect(fleet.items).toHaveLength(SERVICES);
            const states = fleet.items.flatMap(i =>
              i.endpoints.map(e => e.state),
            );
            expect(states).toEqual(Array(ENDPOINTS).fill('healthy'));
          } finally {
            endpoints.release();
          }
        },
        3 * INTERVAL_MS + 10_000,
      );

      it(
        'takes over within one interval when the instance running the cycle is killed',
        async () => {
          // Holding one probe keeps the cycle, and its lease, open.
          await endpoints.holdNextReadyCheck(0);
          const runners = await cycleRunners();
          expect(runners).toHaveLength(1);
          const [victim] = runners;
          const survivor = instances.find(i => i !== victim)!;
          const killedAt = Date.now();
          await victim.kill();
          endpoints.release();

          // The cycle due after the killed one may start one interval (and a
          // scheduler poll) late, not later.
          const budgetMs = 2 * INTERVAL_MS + SCHEDULER_POLL_MS + CLAIM_SLACK_MS;
          const after = survivor.lines.length;
          const line = await survivor.waitForLine(isCycleLine, 120_000, after);
          const takeover = cyclesOf(survivor).find(
            c => c.endedAt === line.time,
          )!;
          const takeoverMs = takeover.startedAt - killedAt;
          // Reported so that a run shows how long the takeover took.
          process.stdout.write(
            `scale-out: ${victim.name} killed while running the cycle; ${survivor.name} started the next one ${takeoverMs} ms later (budget ${budgetMs} ms)\n`,
          );
          expect(takeoverMs).toBeLessThanOrEqual(budgetMs);
          expect(takeover.probed).toBe(ENDPOINTS);
        },
        3 * INTERVAL_MS + 130_000,
      );

      it(
        'keeps every completed cycle in the history',
        async () => {
          const survivor = instances.find(i => i.running)!;
          // Stop right after a cycle, so that none is cut short.
          await survivor.waitForLine(
            isCycleLine,
            2 * INTERVAL_MS + SCHEDULER_POLL_MS,
            survivor.lines.length,
          );
          await survivor.stop();

          const cycles = allCycles(instances);
          expect(cycles.every(c => c.probed === ENDPOINTS)).toBe(true);
          const rows = await knex
            .withSchema('mlops')
            .from('mlops_probe_results')
            .select('url')
            .count({ probes: '*' })
            .groupBy('url');
          const probesByUrl = Object.fromEntries(
            rows.map(r => [r.url, Number(r.probes)]),
          );
          const expected = Object.fromEntries(
            Array.from({ length: ENDPOINTS }, (_, i) => [
              endpoints.url(i),
              cycles.length,
            ]),
          );
          expect(probesByUrl).toEqual(expected);
          // The killed cycle's checks reached the endpoints but were never stored.
          for (let i = 0; i < ENDPOINTS; i++) {
            expect(endpoints.readyChecks.get(i)).toBeGreaterThanOrEqual(
              cycles.length,
            );
          }
        },
        4 * INTERVAL_MS + 20_000,
      );
    },
  );
});
