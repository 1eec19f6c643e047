import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  EndpointHealthSummary,
  EntityHealthResponse,
  InferenceEndpoint,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { MlService, MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { HealthStore } from '../store';
import { FailureBackoff } from './FailureBackoff';
import { HealthProber, ProbeTarget, probeTargetsOf } from './HealthProber';
import { HealthSnapshot, HealthSnapshotCache } from './HealthSnapshotCache';

const DAY_MS = 24 * 3600_000;
const HISTORY_POINTS = 96;

/** What the health routes show for an endpoint the prober has not reached yet. */
function notProbedYet(
  endpoint: InferenceEndpoint,
  asOf: string,
): EndpointHealthSummary {
  return {
    environment: endpoint.environment,
    url: endpoint.url,
    state: 'unknown',
    errorMessage: 'not probed yet',
    checkedAt: asOf,
  };
}

/** Matches declared endpoints to their latest health; a changed URL counts as not probed. */
export function healthOfEndpoints(
  endpoints: InferenceEndpoint[],
  known: EndpointHealthSummary[] | undefined,
  asOf: string,
): EndpointHealthSummary[] {
  return endpoints.map(endpoint => {
    const health = known?.find(
      h => h.environment === endpoint.environment && h.url === endpoint.url,
    );
    return health ?? notProbedYet(endpoint, asOf);
  });
}

export interface EndpointHealthServiceOptions {
  catalog: MlServiceCatalog;
  store: HealthStore;
  prober: HealthProber;
  snapshots: HealthSnapshotCache;
  backoff: FailureBackoff;
  /** A result older than this is refreshed by a probe when a page asks for it. */
  staleAfterMs: number;
}

/**
 * The one read path of endpoint health: latest result, 24-hour summary and
 * history, for the fleet (every endpoint, from the shared snapshot) and for
 * one entity (its endpoints, probed first when needed).
 *
 * An entity's endpoint is probed before answering when it was never probed,
 * moved to another URL, or its result is older than `staleAfterMs` and it is
 * not backing off after failures. Concurrent reads join one probe, so an
 * endpoint is probed at most once per `staleAfterMs` however many pages ask;
 * the fleet snapshot is refreshed after such a probe, so the fleet and the
 * entity answer from the same figures.
 */
export class EndpointHealthService {
  constructor(private readonly options: EndpointHealthServiceOptions) {}

  /** The latest summaries of every endpoint, for the fleet. */
  snapshot(): Promise<HealthSnapshot> {
    return this.options.snapshots.get();
  }

  async entityHealth(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityHealthResponse> {
    const found = await this.options.catalog.get(entityRef, credentials);
    if (!found) {
      throw new NotFoundError(`no entity ${entityRef} in the catalog`);
    }
    const { service } = found;
    await this.probeWhereNeeded(service);
    const environments = service.endpoints.map(e => e.environment);
    const [snapshot, histories] = await Promise.all([
      this.options.snapshots.get(),
      this.options.store.histories(
        service.entityRef,
        environments,
        new Date(Date.now() - DAY_MS),
        { maxPoints: HISTORY_POINTS },
      ),
    ]);
    const summaries = healthOfEndpoints(
      service.endpoints,
      snapshot.byEntity.get(service.entityRef),
      snapshot.generatedAt,
    );
    return {
      entityRef: service.entityRef,
      endpoints: summaries.map(summary => ({
        ...summary,
        history: histories.get(summary.environment) ?? [],
      })),
    };
  }

  private async probeWhereNeeded(service: MlService): Promise<void> {
    const latest = await this.options.store.latest([service.entityRef]);
    const now = Date.now();
    const targets = probeTargetsOf([service], latest).filter(target =>
      this.needsProbe(target, now),
    );
    if (targets.length === 0) return;
    const stored = await this.options.prober.probeNow(targets);
    // None once the prober stopped for shutdown: nothing new to publish.
    if (stored.length > 0) await this.options.snapshots.refresh();
  }

  private needsProbe(target: ProbeTarget, now: number): boolean {
    if (!target.latest) return true;
    if (this.options.backoff.isBackingOff(target.latest, now)) return false;
    const age = now - Date.parse(target.latest.health.checkedAt);
    return age > this.options.staleAfterMs;
  }
}
