import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  EndpointHealth,
  ModelMetadata,
} from '@eks-mlops/backstage-plugin-mlops-common';
import pLimit from 'p-limit';
import { MlService, MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { OutboundClient } from '../outbound';
import { probeEndpoint } from '../probe';
import { HealthStore, ProbeRecord } from '../store';
import { FailureBackoff } from './FailureBackoff';

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
  logger: LoggerService;
  intervalMs: number;
  concurrency: number;
  jitterMs: number;
  maxBackoffMs: number;
  /** How long model metadata read from a healthy endpoint is reused. */
  metadataRefreshMs: number;
  /** Called after each cycle's results are stored (the fleet cache refreshes). */
  onResultsStored?: () => Promise<void>;
  random?: () => number;
}

interface ProbeTarget {
  service: MlService;
  endpoint: MlService['endpoints'][number];
  key: string;
}

const STORE_BATCH_SIZE = 200;

/**
 * Stores results in batches while the cycle goes on, so that storing overlaps
 * probing instead of following it; batches are written one after another.
 */
class ResultBatches {
  private pending: ProbeRecord[] = [];
  private readonly all: ProbeRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure?: Error;

  constructor(
    private readonly store: HealthStore,
    private readonly size: number,
  ) {}

  add(record: ProbeRecord): void {
    this.pending.push(record);
    this.all.push(record);
    if (this.pending.length >= this.size) this.write();
  }

  /** Writes what is left and returns every result of the cycle. */
  async flush(): Promise<ProbeRecord[]> {
    this.write();
    await this.writing;
    if (this.failure) throw this.failure;
    return this.all;
  }

  private write(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.writing = this.writing
      .then(() => this.store.recordMany(batch))
      .catch(error => {
        this.failure ??= error;
      });
  }
}

function endpointKey(entityRef: string, environment: string): string {
  return `${entityRef}\u0000${environment}`;
}

function targetsOf(services: MlService[]): ProbeTarget[] {
  return services.flatMap(service =>
    service.endpoints.map(endpoint => ({
      service,
      endpoint,
      key: endpointKey(service.entityRef, endpoint.environment),
    })),
  );
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Probes every endpoint of every ML service in the catalog: one cycle per
 * scheduler run, at most `concurrency` endpoints at a time, started after a
 * random delay of up to `jitterMs` so several backends (or a restart) do not
 * hit every model at the same second, with failing endpoints backing off.
 */
export class HealthProber {
  private readonly backoff: FailureBackoff;
  private readonly inFlight = new Map<string, Promise<EndpointHealth>>();
  private readonly knownModels = new Map<
    string,
    { model: ModelMetadata; readAt: number }
  >();
  private readonly random: () => number;

  constructor(private readonly options: HealthProberOptions) {
    this.backoff = new FailureBackoff(options.intervalMs, options.maxBackoffMs);
    this.random = options.random ?? Math.random;
  }

  async runCycle(signal?: AbortSignal): Promise<ProbeCycleReport> {
    await sleep(Math.floor(this.random() * this.options.jitterMs), signal);
    const started = performance.now();
    const lap = stopwatch();
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const services = await this.options.catalog.list(credentials);
    const catalogMs = lap();
    const targets = targetsOf(services);
    const keys = new Set(targets.map(t => t.key));
    this.backoff.retain(keys);
    for (const key of this.knownModels.keys()) {
      if (!keys.has(key)) this.knownModels.delete(key);
    }

    const now = Date.now();
    const due = targets.filter(t => this.backoff.isDue(t.key, now));
    const limit = pLimit(this.options.concurrency);
    const batches = new ResultBatches(this.options.store, STORE_BATCH_SIZE);
    await Promise.all(
      due.map(target =>
        limit(async () => {
          if (signal?.aborted) return;
          const health = await this.probe(target);
          batches.add({ entityRef: target.service.entityRef, health });
        }),
      ),
    );
    const probeMs = lap();
    const stored = await batches.flush();
    const storeMs = lap();
    await this.options.onResultsStored?.();
    const snapshotMs = lap();

    const report: ProbeCycleReport = {
      services: services.length,
      endpoints: targets.length,
      probed: stored.length,
      backingOff: targets.length - due.length,
      down: stored.filter(r => r.health.state === 'down').length,
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
        `(catalog ${catalogMs} ms, probes ${probeMs} ms, store ${storeMs} ms, snapshot ${snapshotMs} ms)`,
    );
    return report;
  }

  /**
   * Probes the given endpoints of one service now and stores the results; a
   * probe of the same endpoint already running is joined, not repeated.
   */
  async probeNow(
    service: MlService,
    environments: string[],
  ): Promise<EndpointHealth[]> {
    const targets = targetsOf([service]).filter(t =>
      environments.includes(t.endpoint.environment),
    );
    const joined = new Set(
      targets.filter(t => this.inFlight.has(t.key)).map(t => t.key),
    );
    const results = await Promise.all(targets.map(t => this.probe(t)));
    // A joined probe belongs to a cycle, which stores it itself.
    await this.options.store.recordMany(
      results
        .filter((_, i) => !joined.has(targets[i].key))
        .map(health => ({ entityRef: service.entityRef, health })),
    );
    return results;
  }

  private probe(target: ProbeTarget): Promise<EndpointHealth> {
    const running = this.inFlight.get(target.key);
    if (running) return running;
    const probing = probeEndpoint(target.endpoint, this.options.client, {
      knownModel: this.reusableModel(target.key),
    })
      .then(health => {
        this.recordOutcome(target.key, health);
        this.rememberModel(target.key, health);
        return health;
      })
      .finally(() => this.inFlight.delete(target.key));
    this.inFlight.set(target.key, probing);
    return probing;
  }

  private reusableModel(key: string): ModelMetadata | undefined {
    const known = this.knownModels.get(key);
    if (!known) return undefined;
    const fresh = Date.now() - known.readAt < this.options.metadataRefreshMs;
    return fresh ? known.model : undefined;
  }

  /** Metadata is reused only from a healthy answer; anything else re-reads it. */
  private rememberModel(key: string, health: EndpointHealth): void {
    if (health.state !== 'healthy' || !health.model) {
      this.knownModels.delete(key);
    } else if (this.knownModels.get(key)?.model !== health.model) {
      this.knownModels.set(key, { model: health.model, readAt: Date.now() });
    }
  }

  private recordOutcome(key: string, health: EndpointHealth): void {
    if (health.state === 'down' || health.errorClass === 'blocked') {
      const failures = this.backoff.recordFailure(key, Date.now());
      if (failures > 1) {
        this.options.logger.debug(
          `${key.replace('\u0000', ' ')} failed ${failures} times in a row; ` +
            `next probe in ${this.backoff.delayAfter(failures)} ms`,
        );
      }
    } else {
      this.backoff.recordSuccess(key);
    }
  }
}
