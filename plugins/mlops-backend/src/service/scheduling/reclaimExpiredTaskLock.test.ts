import { DatabaseService } from '@backstage/backend-plugin-api';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { reclaimExpiredTaskLock } from './reclaimExpiredTaskLock';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'POSTGRES_16', 'POSTGRES_17'],
  disableDocker: true,
});

const TASKS = 'backstage_backend_tasks__tasks';

/** Metrics are not what this test is about: every instrument is a no-op. */
const noInstrument = { add() {}, record() {}, addCallback() {} };
const noMetrics = new Proxy(
  {},
  { get: () => () => noInstrument },
) as Parameters<typeof DefaultSchedulerService.create>[0]['metrics'];

describe('reclaimExpiredTaskLock', () => {
  it.each(databases.eachSupportedId())(
    'frees the lock of a run past its timeout and nothing else, on %p',
    async (databaseId: TestDatabaseId) => {
      const knex = await databases.init(databaseId);
      const shutdownHooks: Array<() => void | Promise<void>> = [];
      const database: DatabaseService = { getClient: async () => knex };
      // The real scheduler creates its tables and the task rows.
      const scheduler = DefaultSchedulerService.create({
        database,
        logger: mockServices.logger.mock(),
        rootLifecycle: mockServices.rootLifecycle.mock({
          addShutdownHook: hook => shutdownHooks.push(hook),
        }),
        httpRouter: mockServices.httpRouter.mock(),
        pluginMetadata: { getId: () => 'mlops' },
        metrics: noMetrics,
      });
      const idle = { frequency: { hours: 1 }, timeout: { minutes: 1 } };
      for (const id of ['dead-holder', 'live-holder', 'not-running']) {
        await scheduler.scheduleTask({
          id,
          ...idle,
          initialDelay: { hours: 1 },
          scope: 'global',
          fn: async () => {},
        });
      }
      const ago = (seconds: number) =>
        knex.client.config.client.includes('sqlite')
          ? knex.raw(`datetime('now', ?)`, [`${seconds} seconds`])
          : knex.raw(`now() + make_interval(secs => ?)`, [seconds]);
      const holdLock = (id: string, expiresInSeconds: number) =>
        knex(TASKS)
          .where({ id })
          .update({
            current_run_ticket: `ticket-of-${id}`,
            current_run_started_at: ago(-120),
            current_run_expires_at: ago(expiresInSeconds),
          });
      await holdLock('dead-holder', -60);
      await holdLock('live-holder', 60);

      expect(await reclaimExpiredTaskLock(database, 'live-holder')).toBe(false);
      expect(await reclaimExpiredTaskLock(database, 'not-running')).toBe(false);
      expect(await reclaimExpiredTaskLock(database, 'dead-holder')).toBe(true);
      expect(await reclaimExpiredTaskLock(database, 'dead-holder')).toBe(false);

      const rows = await knex(TASKS)
        .whereIn('id', ['dead-holder', 'live-holder'])
        .orderBy('id')
        .select('id', 'current_run_ticket', 'last_run_error_json');
      expect(rows).toEqual([
        {
          id: 'dead-holder',
          current_run_ticket: null,
          last_run_error_json: expect.stringContaining('timed out'),
        },
        expect.objectContaining({
          id: 'live-holder',
          current_run_ticket: 'ticket-of-live-holder',
        }),
      ]);
      await Promise.all(shutdownHooks.map(hook => hook()));
    },
  );
});
