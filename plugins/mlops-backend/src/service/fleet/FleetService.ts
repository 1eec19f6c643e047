import {
  BackstageCredentials,
  CacheService,
} from '@backstage/backend-plugin-api';
import { JsonArray } from '@backstage/types';
import {
  EndpointHealthSummary,
  FleetResponse,
  InferenceEndpoint,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { MlService, MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { HealthSnapshotCache } from './HealthSnapshotCache';

/** What the fleet shows for an endpoint the prober has not reached yet. */
export function notProbedYet(
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

function principalKey(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') return `user:${principal.userEntityRef}`;
  if (principal.type === 'service') return `service:${principal.subject}`;
  return undefined;
}

/**
 * `GET /v1/fleet`: the ML services the caller may read, each with the latest
 * health of its endpoints. The caller's catalog view is cached per principal
 * for `mlops.fleet.cacheTtl`, so permission changes show within that time.
 */
export class FleetService {
  constructor(
    private readonly catalog: MlServiceCatalog,
    private readonly snapshots: HealthSnapshotCache,
    private readonly cache: CacheService,
    private readonly catalogTtlMs: number,
  ) {}

  async fleet(credentials: BackstageCredentials): Promise<FleetResponse> {
    const [services, snapshot] = await Promise.all([
      this.servicesVisibleTo(credentials),
      this.snapshots.get(),
    ]);
    return {
      generatedAt: snapshot.generatedAt,
      items: services.map(service => ({
        entityRef: service.entityRef,
        title: service.title,
        owner: service.owner,
        endpoints: healthOfEndpoints(
          service.endpoints,
          snapshot.byEntity.get(service.entityRef),
          snapshot.generatedAt,
        ),
      })),
    };
  }

  private async servicesVisibleTo(
    credentials: BackstageCredentials,
  ): Promise<MlService[]> {
    const principal = principalKey(credentials);
    if (!principal || this.catalogTtlMs <= 0) {
      return this.catalog.list(credentials);
    }
    const key = `fleet-services:${principal}`;
    const cached = await this.cache.get(key);
    if (cached) return cached as unknown as MlService[];
    const services = await this.catalog.list(credentials);
    await this.cache.set(key, services as unknown as JsonArray, {
      ttl: this.catalogTtlMs,
    });
    return services;
  }
}
