import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  EndpointHealthDetail,
  EndpointHealthSummary,
  EntityHealthResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { HealthProber } from '../prober/HealthProber';
import { HealthStore } from '../store';
import { healthOfEndpoints } from './FleetService';

const DAY_MS = 24 * 3600_000;
const HISTORY_POINTS = 96;

/**
 * `GET /v1/entities/:kind/:namespace/:name/health`: the entity's endpoints
 * with summary and 24-hour history; endpoints never probed, probed at another
 * URL, or last probed longer ago than `staleAfterMs` are probed first.
 */
export class EntityHealthService {
  constructor(
    private readonly catalog: MlServiceCatalog,
    private readonly store: HealthStore,
    private readonly prober: HealthProber,
    private readonly staleAfterMs: number,
  ) {}

  async health(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityHealthResponse> {
    const found = await this.catalog.get(entityRef, credentials);
    if (!found) {
      throw new NotFoundError(`no entity ${entityRef} in the catalog`);
    }
    const { service } = found;
    let known = await this.summariesOf(service.entityRef);
    const stale = service.endpoints.filter(endpoint => {
      const health = known.find(h => h.environment === endpoint.environment);
      return (
        !health ||
        health.url !== endpoint.url ||
        Date.now() - Date.parse(health.checkedAt) > this.staleAfterMs
      );
    });
    if (stale.length > 0) {
      await this.prober.probeNow(
        service,
        stale.map(e => e.environment),
      );
      known = await this.summariesOf(service.entityRef);
    }
    const now = new Date().toISOString();
    const summaries = healthOfEndpoints(service.endpoints, known, now);
    return {
      entityRef: service.entityRef,
      endpoints: await Promise.all(
        summaries.map(summary => this.withHistory(service.entityRef, summary)),
      ),
    };
  }

  private async summariesOf(
    entityRef: string,
  ): Promise<EndpointHealthSummary[]> {
    const rows = await this.store.summaries([entityRef]);
    return rows.map(r => r.health);
  }

  private async withHistory(
    entityRef: string,
    summary: EndpointHealthSummary,
  ): Promise<EndpointHealthDetail> {
    const history = await this.store.history(
      entityRef,
      summary.environment,
      new Date(Date.now() - DAY_MS),
      { maxPoints: HISTORY_POINTS },
    );
    return { ...summary, history };
  }
}
