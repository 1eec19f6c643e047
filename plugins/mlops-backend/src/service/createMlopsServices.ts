import {
  AuthService,
  CacheService,
  DatabaseService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { MlServiceCatalog } from './catalog/MlServiceCatalog';
import { MlopsServiceOptions, readMlopsServiceOptions } from './config';
import { EntityHealthService } from './fleet/EntityHealthService';
import { FleetService } from './fleet/FleetService';
import { HealthSnapshotCache } from './fleet/HealthSnapshotCache';
import { createOutboundClient } from './outbound';
import { PredictProxy } from './predict/PredictProxy';
import { HealthProber } from './prober/HealthProber';
import { DatabaseHealthStore } from './store';

export interface MlopsServiceDeps {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  cache: CacheService;
  auth: AuthService;
  catalog: CatalogService;
}

/** Everything behind the `mlops` routes, built from config. */
export interface MlopsServices {
  options: MlopsServiceOptions;
  catalog: MlServiceCatalog;
  store: DatabaseHealthStore;
  prober: HealthProber;
  snapshots: HealthSnapshotCache;
  fleet: FleetService;
  entityHealth: EntityHealthService;
  predict: PredictProxy;
}

export async function createMlopsServices(
  deps: MlopsServiceDeps,
): Promise<MlopsServices> {
  const options = readMlopsServiceOptions(deps.config);
  const catalog = new MlServiceCatalog(deps.catalog, deps.logger);
  const store = await DatabaseHealthStore.create({ database: deps.database });
  const guard = {
    allowedHosts: options.outbound.allowedHosts,
    allowPrivateNetworks: options.outbound.allowPrivateNetworks,
  };
  const snapshotTtlMs = Math.max(3 * options.prober.intervalMs, 60_000);
  const snapshots = new HealthSnapshotCache(store, deps.cache, snapshotTtlMs);
  const prober = new HealthProber({
    catalog,
    auth: deps.auth,
    store,
    logger: deps.logger,
    client: createOutboundClient({
      ...guard,
      timeoutMs: options.prober.timeoutMs,
      maxResponseBytes: options.outbound.maxResponseBytes,
    }),
    intervalMs: options.prober.intervalMs,
    concurrency: options.prober.concurrency,
    jitterMs: options.prober.jitterMs,
    maxBackoffMs: options.prober.maxBackoffMs,
    metadataRefreshMs: options.prober.metadataRefreshMs,
    onResultsStored: async () => {
      await snapshots.refresh();
    },
  });
  const predict = new PredictProxy(
    createOutboundClient({
      ...guard,
      timeoutMs: options.predict.timeoutMs,
      maxRequestBytes: options.predict.maxRequestBytes,
      maxResponseBytes: options.predict.maxResponseBytes,
    }),
    options.predict.maxRequestBytes,
  );
  return {
    options,
    catalog,
    store,
    prober,
    snapshots,
    fleet: new FleetService(catalog, snapshots, options.fleetCacheTtlMs),
    entityHealth: new EntityHealthService(
      catalog,
      store,
      prober,
      options.prober.staleAfterMs,
    ),
    predict,
  };
}

/** Schedules the probe cycle and the retention sweep. */
export async function scheduleMlopsTasks(
  scheduler: SchedulerService,
  services: MlopsServices,
  logger: LoggerService,
): Promise<void> {
  const { prober: proberOptions, retentionMs } = services.options;
  if (proberOptions.enabled) {
    await scheduler.scheduleTask({
      id: 'mlops-probe-cycle',
      frequency: { milliseconds: proberOptions.intervalMs },
      // Room for the jitter, a full cycle of timeouts and storing the results.
      timeout: {
        milliseconds: proberOptions.jitterMs + 10 * proberOptions.intervalMs,
      },
      initialDelay: { seconds: 5 },
      scope: 'global',
      fn: async abortSignal => {
        await services.prober.runCycle(abortSignal);
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
      const deleted = await services.store.deleteOlderThan(cutoff);
      logger.info(
        `mlops retention: deleted ${deleted} probe results older than ${cutoff.toISOString()}`,
      );
    },
  });
}
