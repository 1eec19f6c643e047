import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  EndpointHealthSummary,
  FleetEntry,
  FleetResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { MlService, MlServiceCatalog } from '../catalog/MlServiceCatalog';
import {
  EndpointHealthService,
  healthOfEndpoints,
} from '../health/EndpointHealthService';
import { setNewest } from '../boundedMap';
import { HealthSnapshot } from '../health/HealthSnapshotCache';

/** The fleet lists models by name and version; tensors are for the entity page. */
function withoutTensors(health: EndpointHealthSummary): EndpointHealthSummary {
  if (!health.model) return health;
  const { name, versions, platform } = health.model;
  return { ...health, model: { name, versions, platform } };
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

interface CatalogView {
  services: MlService[];
  expiresAt: number;
  /** The serialized response for one snapshot version. */
  rendered?: { snapshotVersion: string; json: Buffer };
}

const MAX_CACHED_PRINCIPALS = 1000;

/**
 * `GET /v1/fleet`: the ML services the caller may read, each with the latest
 * health of its endpoints, as UTF-8 JSON ready to send (a Buffer, so each
 * response writes the same bytes instead of encoding a fresh copy).
 *
 * Hot path: the health side comes from the snapshot cache (one small cache
 * read per request); the caller's catalog view is kept per principal for
 * `mlops.fleet.cacheTtl` and refreshed in the background for one more TTL (so
 * catalog and permission changes show within two TTLs), and the rendered
 * response is reused until either changes.
 */
export class FleetService {
  private readonly views = new Map<string, CatalogView>();
  private readonly refreshing = new Map<string, Promise<CatalogView>>();

  constructor(
    private readonly catalog: MlServiceCatalog,
    private readonly health: EndpointHealthService,
    private readonly catalogTtlMs: number,
  ) {}

  async fleetJson(credentials: BackstageCredentials): Promise<Buffer> {
    const [view, snapshot] = await Promise.all([
      this.catalogViewOf(credentials),
      this.health.snapshot(),
    ]);
    if (view.rendered?.snapshotVersion === snapshot.version) {
      return view.rendered.json;
    }
    const json = Buffer.from(
      JSON.stringify(this.render(view.services, snapshot)),
    );
    view.rendered = { snapshotVersion: snapshot.version, json };
    return json;
  }

  private render(
    services: MlService[],
    snapshot: HealthSnapshot,
  ): FleetResponse {
    const items: FleetEntry[] = services.map(service => ({
      entityRef: service.entityRef,
      title: service.title,
      owner: service.owner,
      endpoints: healthOfEndpoints(
        service.endpoints,
        snapshot.byEntity.get(service.entityRef),
        snapshot.generatedAt,
      ).map(withoutTensors),
    }));
    return { generatedAt: snapshot.generatedAt, items };
  }

  private async catalogViewOf(
    credentials: BackstageCredentials,
  ): Promise<CatalogView> {
    const key = principalKey(credentials);
    if (!key || this.catalogTtlMs <= 0) {
      return { services: await this.catalog.list(credentials), expiresAt: 0 };
    }
    const cached = this.views.get(key);
    const now = Date.now();
    if (cached && cached.expiresAt > now) return cached;
    // Shortly past expiry the old view is served while a fresh one is read, so
    // callers do not wait for the catalog; long past it, they do.
    if (cached && cached.expiresAt + this.catalogTtlMs > now) {
      this.refreshView(key, credentials).catch(() => {});
      return cached;
    }
    return this.refreshView(key, credentials);
  }

  private refreshView(
    key: string,
    credentials: BackstageCredentials,
  ): Promise<CatalogView> {
    const running = this.refreshing.get(key);
    if (running) return running;
    const refresh = this.catalog
      .list(credentials)
      .then(services => {
        const view = { services, expiresAt: Date.now() + this.catalogTtlMs };
        setNewest(this.views, key, view, MAX_CACHED_PRINCIPALS);
        return view;
      })
      .finally(() => this.refreshing.delete(key));
    this.refreshing.set(key, refresh);
    return refresh;
  }
}
