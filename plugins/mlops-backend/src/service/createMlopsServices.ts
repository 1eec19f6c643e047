import {
  AuditorService,
  AuthService,
  CacheService,
  DatabaseService,
  DiscoveryService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import { MlServiceCatalog } from './catalog/MlServiceCatalog';
import { MlopsServiceOptions } from './config';
import { FleetService } from './fleet/FleetService';
import {
  CLUSTER_DISCOVERY_REQUEST_INTERVAL_MS,
  ClusterDiscoveryRequests,
} from './health/ClusterDiscoveryRequests';
import { EndpointHealthService } from './health/EndpointHealthService';
import { FailureBackoff } from './health/FailureBackoff';
import { HealthProber } from './health/HealthProber';
import { HealthSnapshotCache } from './health/HealthSnapshotCache';
import { DeployRecordChecker } from './health/DeployRecordChecker';
import { WindowStatsCache } from './health/WindowStatsCache';
import { createOutboundClient } from './outbound';
import { KubernetesServiceProxy } from './kubernetes/KubernetesServiceProxy';
import { PredictService } from './predict/PredictService';
import { createEndpointRouter } from './routing/EndpointRouter';
import { DatabaseHealthStore } from './store';

export interface MlopsServiceDeps {
  options: MlopsServiceOptions;
  logger: LoggerService;
  database: DatabaseService;
  cache: CacheService;
  auth: AuthService;
  discovery: DiscoveryService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  /** Carries the prober's requests to the cluster discovery (the mlops catalog module). */
  events: EventsService;
  /** Reads the services' Terraform states, to tell "not deployed yet" from down. */
  awsClientFactory: AwsClientFactory;
}

/** Everything behind the `mlops` routes and tasks. */
export interface MlopsServices {
  store: DatabaseHealthStore;
  prober: HealthProber;
  health: EndpointHealthService;
  fleet: FleetService;
  predict: PredictService;
  /**
   * For the plugin's shutdown hook: stops the prober, which from then on
   * discards the results that arrive, and ends the probes' connections at
   * once (a probe would otherwise hold the shutdown up to its timeout).
   * Once the predictions in flight have their answers (Backstage refuses new
   * requests meanwhile), ends the calls to the Kubernetes plugin (a warm-up
   * call to one that does not answer would hold it up to 15 s) and closes the
   * predict client.
   */
  shutdown(): Promise<void>;
}

export async function createMlopsServices(
  deps: MlopsServiceDeps,
): Promise<MlopsServices> {
  const { options } = deps;
  const catalog = new MlServiceCatalog(deps.catalog, deps.logger);
  const store = await DatabaseHealthStore.create({ database: deps.database });
  const guard = {
    allowedHosts: options.outbound.allowedHosts,
    allowPrivateNetworks: options.outbound.allowPrivateNetworks,
  };
  const probeLimits = {
    ...guard,
    timeoutMs: options.prober.timeoutMs,
    maxResponseBytes: options.outbound.maxResponseBytes,
  };
  const probeClient = createOutboundClient(probeLimits);
  const predictClient = createOutboundClient({
    ...guard,
    timeoutMs: options.predict.timeoutMs,
    maxResponseBytes: options.predict.maxResponseBytes,
  });
  // The cluster list and warm-up calls serve probes and predictions alike:
  // the probes' limits, in a client of their own, so the shutdown ends the
  // probes' calls at once and still lets a prediction waiting for the
  // cluster list have its answer.
  const kubernetesPluginClient = createOutboundClient(probeLimits);
  const router = createEndpointRouter({
    kubernetes: new KubernetesServiceProxy({
      discovery: deps.discovery,
      auth: deps.auth,
      client: kubernetesPluginClient,
    }),
  });
  const snapshots = new HealthSnapshotCache(
    store,
    deps.cache,
    Math.max(3 * options.prober.intervalMs, 60_000),
    new WindowStatsCache(store, options.summaryRefreshMs),
  );
  const backoff = new FailureBackoff(
    options.prober.intervalMs,
    options.prober.maxBackoffMs,
  );
  const prober = new HealthProber({
    catalog,
    auth: deps.auth,
    store,
    client: probeClient,
    router,
    logger: deps.logger,
    backoff,
    concurrency: options.prober.concurrency,
    jitterMs: options.prober.jitterMs,
    metadataRefreshMs: options.prober.metadataRefreshMs,
    deployChecker: new DeployRecordChecker({
      awsClientFactory: deps.awsClientFactory,
      logger: deps.logger,
      timeoutMs: options.prober.timeoutMs,
    }),
    clusterDiscovery: new ClusterDiscoveryRequests({
      events: deps.events,
      logger: deps.logger,
      intervalMs: CLUSTER_DISCOVERY_REQUEST_INTERVAL_MS,
    }),
    onResultsStored: async () => {
      await snapshots.refresh();
    },
  });
  const health = new EndpointHealthService({
    catalog,
    store,
    prober,
    snapshots,
    backoff,
    staleAfterMs: options.prober.staleAfterMs,
  });
  const predict = new PredictService({
    catalog,
    permissions: deps.permissions,
    auditor: deps.auditor,
    client: predictClient,
    router,
  });
  return {
    store,
    prober,
    health,
    fleet: new FleetService(catalog, health, options.fleetCacheTtlMs),
    predict,
    async shutdown() {
      prober.stop();
      await Promise.all([probeClient.destroy(), predict.drain()]);
      await Promise.all([
        kubernetesPluginClient.destroy(),
        predictClient.close(),
      ]);
    },
  };
}
