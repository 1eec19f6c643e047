import {
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { MlopsServiceOptions } from '../config';
import { HealthProber } from '../health/HealthProber';
import { DatabaseHealthStore } from '../store';
import { reclaimExpiredTaskLock } from './reclaimExpiredTaskLock';

const PROBE_CYCLE_TASK = 'mlops-probe-cycle';

/**
 * Schedules the probe cycle and the retention sweep, both `global`: with
 * several backend instances on one database exactly one runs each at a time.
 */
export async function scheduleMlopsTasks(options: {
  scheduler: SchedulerService;
  database: DatabaseService;
  logger: LoggerService;
  settings: MlopsServiceOptions;
  prober: HealthProber;
  store: DatabaseHealthStore;
}): Promise<void> {
  const { scheduler, logger, settings } = options;
  const { prober: proberSettings, retentionMs } = settings;
  if (proberSettings.enabled) {
    await scheduler.scheduleTask({
      id: PROBE_CYCLE_TASK,
      frequency: { milliseconds: proberSettings.intervalMs },
      // The scheduler holds the task's lock until this timeout when the
      // instance running it dies, so it is bounded by the interval; the
      // reclaim task below frees an expired lock (Backstage's own janitor
      // sweeps only once a minute), so another instance takes over at once.
      timeout: { milliseconds: proberSettings.intervalMs },
      initialDelay: { seconds: 5 },
      scope: 'global',
      fn: async abortSignal => {
        await options.prober.runCycle(abortSignal);
      },
    });
    await scheduler.scheduleTask({
      id: 'mlops-probe-cycle-reclaim',
      frequency: { milliseconds: proberSettings.intervalMs / 2 },
      timeout: { milliseconds: proberSettings.intervalMs },
      scope: 'local',
      fn: async () => {
        if (await reclaimExpiredTaskLock(options.database, PROBE_CYCLE_TASK)) {
          logger.warn(
            'mlops probe cycle: the instance running it stopped before finishing; another instance takes over',
          );
        }
      },
    });
  } else {
    logger.info('mlops prober disabled (mlops.prober.enabled: false)');
  }
  await scheduler.scheduleTask({
    id: 'mlops-history-retention',
    frequency: { hours: 1 },
    timeout: { minutes: 15 },
    initialDelay: { minutes: 1 },
    scope: 'global',
    fn: async () => {
      const cutoff = new Date(Date.now() - retentionMs);
      const deleted = await options.store.deleteOlderThan(cutoff);
      logger.info(
        `mlops retention: deleted ${deleted} probe results older than ${cutoff.toISOString()}`,
      );
    },
  });
}
