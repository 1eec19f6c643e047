import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  EndpointHealth,
  InferenceEndpoint,
  ModelMetadata,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { DeployRecords } from '../../aws/deployRecords';
import { MlService, MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { endpointKey, EndpointRecord, isUp } from '../endpoints';
import { OutboundClient } from '../outbound';
import { EndpointRouter } from '../routing/EndpointRouter';
import { HealthStore } from '../store';
import { FailureBackoff } from './FailureBackoff';
import { probeEndpoint } from './probeEndpoint';
import { ClusterDiscoveryRequests } from './ClusterDiscoveryRequests';
import { DeployFinding, DeployRecordChecker } from './DeployRecordChecker';

/** What one probe cycle did. */
export interface ProbeCycleReport {
  services: number;
  endpoints: number;
  probed: number;
  /** Skipped because they are backing off after failures. */
  backingOff: number;
  down: number;
  durationMs: number;
  /** Where the time went: catalog read, probing, storing, refreshing the fleet snapshot. */
  phasesMs: { catalog: number; probe: number; store: number; snapshot: number };
}

export interface HealthProberOptions {
  catalog: MlServiceCatalog;
  auth: AuthService;
  store: HealthStore;
  client: OutboundClient;
  /** How endpoints are reached (URL or Kubernetes service proxy); by default their URL. */
  router?: EndpointRouter;
  logger: LoggerService;
  backoff: FailureBackoff;
  concurrency: number;
  jitterMs: number;
  /** How long model metadata read from a healthy endpoint is reused. */
  metadataRefreshMs: number;
  /**
   * Tells an endpoint that never answered from one not deployed yet, by its
   * service's deploy records; without it, every failure shows as probed.
   */
  deployChecker?: DeployRecordChecker;
  /**
   * Told of every environment the deploy checker finds deployed while its
   * endpoint has never answered: the cluster discovery may not have seen its
   * cluster yet.
   */
  clusterDiscovery?: Pick<ClusterDiscoveryRequests, 'request'>;
  /** Called after each cycle's results are stored (the fleet snapshot refreshes). */
  onResultsStored?: () => Promise<void>;
  random?: () => number;
}

/** One endpoint to probe, with its latest stored result (if any). */
export interface ProbeTarget {
  entityRef: string;
  endpoint: InferenceEndpoint;
  latest?: EndpointRecord;
  /** Where the service's deploy leaves its traces, when it says. */
  deployRecords?: DeployRecords;
}

/** A probe in flight: its result, and when that result is in the store. */
interface RunningProbe {
  result: Promise<EndpointRecord>;
  stored: Promise<void>;
}

const STORE_BATCH_SIZE = 200;
/** Batch size once every probe of the cycle has started: what is left to write after the last one is small. */
const TAIL_BATCH_SIZE = 10;

/**
 * Stores results in batches while the cycle goes on, so that storing overlaps
 * probing instead of following it; batches are written one after another.
 */
class ResultBatches {
  private pending: EndpointRecord[] = [];
  private pendingWritten?: { promise: Promise<void>; resolve: () => void };
  private writing: Promise<void> = Promise.resolve();
  private failure?: Error;
  private count = 0;

  constructor(private readonly store: HealthStore, private size: number) {}

  /** Batches `size` records from now on; what is pending goes now if it is that many. */
  resize(size: number): void {
    this.size = size;
    if (this.pending.length >= size) this.write();
  }

  /** Queues a record; the promise settles once its batch is written. */
  add(record: EndpointRecord): Promise<void> {
    this.pending.push(record);
    this.count += 1;
    if (!this.pendingWritten) {
      let resolve!: () => void;
      const promise = new Promise<void>(r => (resolve = r));
      this.pendingWritten = { promise, resolve };
    }
    const written = this.pendingWritten.promise;
    if (this.pending.length >= this.size) this.write();
    return written;
  }

  /** Writes what is left; returns how many records the cycle stored. */
  async flush(): Promise<number> {
    this.write();
    await this.writing;
    if (this.failure) throw this.failure;
    return this.count;
  }

  private write(): void {
    const batch = this.pending;
    const written = this.pendingWritten;
    this.pending = [];
    this.pendingWritten = undefined;
    if (batch.length === 0) return;
    // The write waits for the I/O already received to be handled: probes
    // whose answers are in go on to their next endpoint first, instead of
    // waiting for a batch written (synchronously, on SQLite) in between.
    this.writing = this.writing
      .then(() => new Promise(resolve => setImmediate(resolve)))
      .then(() => this.store.recordMany(batch))
      .catch(error => {
        this.failure ??= error;
      })
      .finally(() => written?.resolve());
  }
}

/** Each call returns the milliseconds since the previous call (or creation). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = Math.round(now - last);
    last = now;
    return elapsed;
  };
}

/** Waits `ms`, or less once any of the signals aborts. */
function sleep(
  ms: number,
  signals: Array<AbortSignal | undefined>,
): Promise<void> {
  if (ms <= 0 || signals.some(signal => signal?.aborted)) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    // Ending the wait removes its listeners: the prober's stop signal lives
    // as long as the backend.
    const ended = new AbortController();
    ended.signal.addEventListener('abort', () => resolve());
    const timer = setTimeout(() => ended.abort(), ms);
    const endEarly = () => {
      clearTimeout(timer);
      ended.abort();
    };
    for (const signal of signals) {
      signal?.addEventListener('abort', endEarly, { signal: ended.signal });
    }
  });
}

/** The report of a cycle that did not run because the prober is stopped. */
const STOPPED_CYCLE: ProbeCycleReport = {
  services: 0,
  endpoints: 0,
  probed: 0,
  backingOff: 0,
  down: 0,
  durationMs: 0,
  phasesMs: { catalog: 0, probe: 0, store: 0, snapshot: 0 },
};

/** The latest record of the endpoint at its current URL; a moved endpoint starts afresh. */
function latestAtUrl(
  latest: EndpointRecord | undefined,
  endpoint: InferenceEndpoint,
): EndpointRecord | undefined {
  return latest?.health.url === endpoint.url ? latest : undefined;
}

/** Orders targets by their last probe, never-probed ones first (ISO times sort as text). */
function byLastProbe(a: ProbeTarget, b: ProbeTarget): number {
  const first = a.latest?.health.checkedAt ?? '';
  const second = b.latest?.health.checkedAt ?? '';
  if (first === second) return 0;
  return first < second ? -1 : 1;
}

/** The probe targets of `services`, each with its latest stored result. */
export function probeTargetsOf(
  services: MlService[],
  latest: EndpointRecord[],
): ProbeTarget[] {
  const byKey = new Map(
    latest.map(r => [endpointKey(r.entityRef, r.health.environment), r]),
  );
  return services.flatMap(service =>
    service.endpoints.map(endpoint => ({
      entityRef: service.entityRef,
      endpoint,
      latest: latestAtUrl(
        byKey.get(endpointKey(service.entityRef, endpoint.environment)),
        endpoint,
      ),
      deployRecords: service.deployRecords,
    })),
  );
}

/**
 * Probes the endpoints of ML services and stores the results.
 *
 * A cycle probes every endpoint of every ML service in the catalog (one cycle
 * per scheduler run, at most `concurrency` endpoints at a time), after a
 * random delay of up to `jitterMs` so a restart does not hit every model at
 * the same second; endpoints backing off after failures are skipped. A probe
 * of an endpoint already being probed (by the cycle or a page view) joins the
 * running one instead of calling the endpoint again.
 *
 * {@link HealthProber.stop} ends probing for shutdown, before the outbound
 * client closes.
 */
export class HealthProber {
  private readonly running = new Map<string, RunningProbe>();
  private readonly knownModels = new Map<
    string,
    { model: ModelMetadata; readAt: number }
  >();
  private readonly random: () => number;
  private readonly stopping = new AbortController();

  constructor(private readonly options: HealthProberOptions) {
    this.random = options.random ?? Math.random;
  }

  /**
   * Stops probing for shutdown: no cycle or read starts another probe, and
   * results that arrive from now on are discarded instead of stored (the
   * client is about to close, so they would be failures of our making), and
   * no snapshot refresh follows.
   */
  stop(): void {
    this.stopping.abort();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  async runCycle(signal?: AbortSignal): Promise<ProbeCycleReport> {
    const jitterMs = Math.floor(this.random() * this.options.jitterMs);
    await sleep(jitterMs, [signal, this.stopping.signal]);
    if (this.stopped) return STOPPED_CYCLE;
    const started = performance.now();
    const lap = stopwatch();
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const [services, latest] = await Promise.all([
      this.options.catalog.list(credentials),
      this.options.store.probeStates(),
    ]);
    const catalogMs = lap();
    const targets = probeTargetsOf(services, latest);
    this.forgetModelsExcept(targets);

    const now = Date.now();
    // Stalest first (never probed before all): a cycle cut short by its
    // timeout leaves the freshest results behind, and the next one starts
    // where it stopped, so no endpoint is starved.
    const due = targets
      .filter(t => !this.options.backoff.isBackingOff(t.latest, now))
      .sort(byLastProbe);
    const batches = new ResultBatches(this.options.store, STORE_BATCH_SIZE);
    const store = (record: EndpointRecord) => batches.add(record);
    let down = 0;
    // `concurrency` workers take the next due target as each probe ends: no
    // task, closure or promise per target waits for its turn all cycle long.
    let next = 0;
    const worker = async () => {
      while (next < due.length && !signal?.aborted && !this.stopped) {
        const target = due[next++];
        if (next === due.length) batches.resize(TAIL_BATCH_SIZE);
        const record = await this.probeOnce(target, store).result;
        if (record.health.state === 'down') down += 1;
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(this.options.concurrency, due.length) },
        worker,
      ),
    );
    const probeMs = lap();
    if (signal?.aborted) {
      this.options.logger.warn(
        'probe cycle cut short by its timeout (the interval); the endpoints it did not reach go first next time. ' +
          'Raise mlops.prober.concurrency or mlops.prober.interval if this repeats.',
      );
    }
    const stored = await batches.flush();
    const storeMs = lap();
    if (!this.stopped) await this.options.onResultsStored?.();
    const snapshotMs = lap();

    const report: ProbeCycleReport = {
      services: services.length,
      endpoints: targets.length,
      probed: stored,
      backingOff: targets.length - due.length,
      down,
      durationMs: Math.round(performance.now() - started),
      phasesMs: {
        catalog: catalogMs,
        probe: probeMs,
        store: storeMs,
        snapshot: snapshotMs,
      },
    };
    this.options.logger.info(
      `probe cycle: ${report.probed} of ${report.endpoints} endpoints probed ` +
        `(${report.down} down, ${report.backingOff} backing off) in ${report.durationMs} ms ` +
        `(catalog and latest ${catalogMs} ms, probes ${probeMs} ms, store ${storeMs} ms, snapshot ${snapshotMs} ms)`,
    );
    return report;
  }

  /**
   * Probes the given targets now (joining probes already running) and
   * resolves once every result is in the store, with the results; with none
   * once the prober is stopped.
   */
  async probeNow(targets: ProbeTarget[]): Promise<EndpointRecord[]> {
    if (this.stopped) return [];
    const store = (record: EndpointRecord) =>
      this.options.store.recordMany([record]);
    const records = await Promise.all(
      targets.map(async target => {
        const probe = this.probeOnce(target, store);
        await probe.stored;
        return probe.result;
      }),
    );
    return this.stopped ? [] : records;
  }

  /**
   * Probes one target unless it is being probed already, in which case the
   * running probe is joined; whoever starts a probe stores its result.
   */
  private probeOnce(
    target: ProbeTarget,
    store: (record: EndpointRecord) => Promise<void>,
  ): RunningProbe {
    const key = this.keyOf(target);
    const joined = this.running.get(key);
    if (joined) return joined;
    const result = this.probe(target, key);
    const stored = result.then(record =>
      this.stopped ? undefined : store(record),
    );
    const probe: RunningProbe = { result, stored };
    this.running.set(key, probe);
    stored
      .catch(() => {})
      .finally(() => {
        if (this.running.get(key) === probe) this.running.delete(key);
      });
    return probe;
  }

  private async probe(
    target: ProbeTarget,
    key: string,
  ): Promise<EndpointRecord> {
    const previousFailures = target.latest?.failures ?? 0;
    const probed = await probeEndpoint(target.endpoint, this.options.client, {
      knownModel: this.reusableModel(key),
      router: this.options.router,
    });
    const finding = await this.deployFinding(target, probed);
    if (finding?.deployed && !this.stopped) {
      this.options.clusterDiscovery?.request({
        entityRef: target.entityRef,
        environment: target.endpoint.environment,
      });
    }
    const health =
      finding?.deployed === false
        ? notDeployedYet(probed, finding.reason)
        : probed;
    const failures = this.options.backoff.nextFailures(
      previousFailures,
      health,
    );
    if (failures > 1 && target.latest?.hasBeenUp) {
      this.options.logger.debug(
        `${target.entityRef} ${target.endpoint.environment} failed ${failures} times in a row; ` +
          `next probe in ${this.options.backoff.delayAfter(failures)} ms`,
      );
    }
    this.rememberModel(key, health);
    return { entityRef: target.entityRef, health, failures };
  }

  /**
   * What the deploy records say of a result that could be that of an
   * environment whose deploy has not run: the endpoint never answered,
   * failed now, and its service says where its deploy leaves traces. A guard
   * refusal is the adopter's to fix either way, so it is never checked.
   */
  private async deployFinding(
    target: ProbeTarget,
    health: EndpointHealth,
  ): Promise<DeployFinding | undefined> {
    const { deployChecker } = this.options;
    const records = target.deployRecords;
    const mayNotBeDeployed =
      !target.latest?.hasBeenUp &&
      !isUp(health) &&
      health.errorClass !== 'blocked';
    return deployChecker && records && mayNotBeDeployed
      ? deployChecker.check(records, target.endpoint.environment)
      : undefined;
  }

  private keyOf(target: ProbeTarget): string {
    return endpointKey(target.entityRef, target.endpoint.environment);
  }

  private reusableModel(key: string): ModelMetadata | undefined {
    const known = this.knownModels.get(key);
    if (!known) return undefined;
    const fresh = Date.now() - known.readAt < this.options.metadataRefreshMs;
    return fresh ? known.model : undefined;
  }

  /** Metadata is reused only from a healthy answer; anything else re-reads it. */
  private rememberModel(key: string, health: EndpointRecord['health']): void {
    if (health.state !== 'healthy' || !health.model) {
      this.knownModels.delete(key);
    } else if (this.knownModels.get(key)?.model !== health.model) {
      this.knownModels.set(key, { model: health.model, readAt: Date.now() });
    }
  }

  private forgetModelsExcept(targets: ProbeTarget[]): void {
    const keys = new Set(targets.map(t => this.keyOf(t)));
    for (const key of this.knownModels.keys()) {
      if (!keys.has(key)) this.knownModels.delete(key);
    }
  }
}

/** The result as `unknown` (`not-deployed`): the endpoint is not down, its deploy has not run. */
function notDeployedYet(
  health: EndpointHealth,
  reason: string,
): EndpointHealth {
  return {
    ...health,
    state: 'unknown',
    errorClass: 'not-deployed',
    errorMessage: `not deployed yet: ${reason}; the probe: ${
      health.errorMessage ?? health.state
    }`,
  };
}
