import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { KubernetesServiceTarget } from '@eks-mlops/backstage-plugin-mlops-common';
import { OutboundClient, OutboundError, OutboundRequest } from '../outbound';
import type { EndpointRoute } from '../routing/EndpointRouter';
import { proxyFailureOf } from './proxyFailure';

/** The header that names the cluster of a call to the Kubernetes plugin's proxy. */
export const KUBERNETES_CLUSTER_HEADER = 'backstage-kubernetes-cluster';

/**
 * Auth providers of the Kubernetes plugin that sign with the signed-in
 * user's token sent by the frontend; a service-to-service call has none, so
 * the proxy fails (`google`, `oidc`) or calls anonymously (`aks`).
 */
const USER_TOKEN_AUTH_PROVIDERS = new Set(['aks', 'google', 'oidc']);
/** The Kubernetes plugin's auth providers that sign on the server side. */
const SERVER_SIDE_AUTH_PROVIDERS =
  'aws, azure, googleServiceAccount, serviceAccount or localKubectlProxy';

const PLUGIN_HINT =
  'Kubernetes targets are reached through the Kubernetes backend plugin: add @backstage/plugin-kubernetes-backend to this backend and check that its /clusters route answers';

/** A cluster as the Kubernetes plugin lists it. */
interface ListedCluster {
  name: string;
  authProvider?: string;
}

export interface KubernetesServiceProxyOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /** The guarded client, for the cluster list. */
  client: OutboundClient;
  /** How long the configured cluster names are reused. Default 60 s. */
  clusterCacheMs?: number;
  /**
   * A target naming a cluster the cached list lacks re-reads the list once it
   * is this old, so a cluster discovered since is usable at once. Default 5 s.
   */
  clusterMissRefreshMs?: number;
  /**
   * How long the warm-up call to a cluster may take (see the class comment).
   * Default 15 s.
   */
  warmUpTimeoutMs?: number;
}

/**
 * Reaches models through the Kubernetes API server's service proxy
 * (`/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/…`) by calling the
 * Kubernetes plugin's own proxy endpoint, `/api/kubernetes/proxy`, service to
 * service.
 *
 * Why the proxy endpoint and not the Kubernetes plugin's extension points or
 * `@backstage/plugin-kubernetes-node`: extension points can only be used by
 * modules of the `kubernetes` plugin, and kubernetes-node exports types and
 * extension points but no service another plugin can call. The proxy
 * endpoint is the plugin's public interface for exactly this: it resolves the
 * cluster (config, catalog or GKE locators alike), signs the call with the
 * cluster's configured auth (service account, AWS IAM for EKS, …), checks
 * `kubernetes.proxy` and audits it. Our calls carry the backend's own service
 * credentials (`getPluginRequestToken` for `kubernetes`); the permission
 * framework allows a service principal without access restrictions, so
 * `kubernetes.proxy` (and `kubernetes.clusters.read` for the cluster list)
 * need no policy entry, and no user permission is ever borrowed.
 *
 * The base URL comes from service discovery and every call still goes
 * through the outbound guard: the discovered origin is passed as the trusted
 * origin (exempt from the allowlist and private-range checks there only,
 * never from the metadata refusal), so a redirect the model answers with is
 * vetted like any other URL, and the token goes to that origin only.
 *
 * The cluster must be one the Kubernetes plugin lists at `/clusters`, with
 * an auth provider that signs on the server side; a target without a
 * cluster is accepted while it lists exactly one.
 *
 * The first route to each cluster waits for one call of its own through the
 * proxy (`GET /version`, whatever it answers, within `warmUpTimeoutMs`). The
 * first proxied call after Backstage starts does work no later one repeats:
 * the Kubernetes plugin imports its Kubernetes client (about 2 s on an idle
 * machine), builds the cluster's proxy, signs its first token (for EKS,
 * resolving Backstage's AWS credentials) and opens the TLS connection to the
 * API server. Made by a probe, that work would count against the probe's
 * timeout and could report a healthy model `down` after every restart.
 */
export class KubernetesServiceProxy {
  private clusters?: { list: Promise<ListedCluster[]>; readAt: number };
  private readonly warmUps = new Map<string, Promise<void>>();

  constructor(private readonly options: KubernetesServiceProxyOptions) {}

  async route(target: KubernetesServiceTarget): Promise<EndpointRoute> {
    const base = (
      await this.options.discovery.getBaseUrl('kubernetes')
    ).replace(/\/+$/, '');
    const trustedOrigin = new URL(base).origin;
    const token = await this.token();
    const cluster = await this.clusterOf(target, base, trustedOrigin, token);
    const headers = { [KUBERNETES_CLUSTER_HEADER]: cluster };
    await this.warmUp(cluster, {
      url: `${base}/proxy/version`,
      headers,
      trustedOrigin,
      bearerToken: token,
    });
    const service = `${target.service}:${target.port}`;
    return {
      url: `${base}/proxy/api/v1/namespaces/${target.namespace}/services/${service}/proxy`,
      headers,
      trustedOrigin,
      bearerToken: token,
      proxyFailure: response => proxyFailureOf(response, trustedOrigin),
    };
  }

  /**
   * Makes the warm-up call to `cluster` the first time it is routed to; later
   * routes share it. Its answer or failure is not used: the call that follows
   * reports what is wrong.
   */
  private warmUp(cluster: string, call: OutboundRequest): Promise<void> {
    let warming = this.warmUps.get(cluster);
    if (!warming) {
      warming = this.options.client
        .request({
          ...call,
          timeoutMs: this.options.warmUpTimeoutMs ?? 15_000,
        })
        .then(
          () => undefined,
          () => undefined,
        );
      this.warmUps.set(cluster, warming);
    }
    return warming;
  }

  private async token(): Promise<string> {
    const { auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'kubernetes',
    });
    return token;
  }

  private async clusterOf(
    target: KubernetesServiceTarget,
    base: string,
    trustedOrigin: string,
    token: string,
  ): Promise<string> {
    let clusters = await this.clusterList(base, trustedOrigin, token);
    const find = () => clusters.find(c => c.name === target.cluster);
    if (
      target.cluster !== undefined &&
      !find() &&
      this.clusterListAgeMs() >= (this.options.clusterMissRefreshMs ?? 5_000)
    ) {
      this.clusters = undefined;
      clusters = await this.clusterList(base, trustedOrigin, token);
    }
    const cluster = target.cluster === undefined ? clusters[0] : find();
    const names = clusters.map(c => c.name);
    const listed = names.length > 0 ? names.join(', ') : 'none';
    if (target.cluster === undefined && clusters.length !== 1) {
      throw new OutboundError(
        'invalid-target',
        `the Kubernetes target names no cluster and the Kubernetes plugin configures ${names.length} (${listed}); name one as <cluster>/<namespace>/<service>`,
      );
    }
    if (!cluster) {
      throw new OutboundError(
        'invalid-target',
        `cluster "${target.cluster}" is not configured in the Kubernetes plugin (configured: ${listed})`,
      );
    }
    return usableCluster(cluster);
  }

  private clusterListAgeMs(): number {
    return this.clusters ? Date.now() - this.clusters.readAt : Infinity;
  }

  private clusterList(
    base: string,
    trustedOrigin: string,
    token: string,
  ): Promise<ListedCluster[]> {
    const maxAge = this.options.clusterCacheMs ?? 60_000;
    const cached = this.clusters;
    if (cached && Date.now() - cached.readAt < maxAge) return cached.list;
    const list = this.readClusterList(base, trustedOrigin, token);
    const entry = { list, readAt: Date.now() };
    this.clusters = entry;
    // A failed read is not reused.
    list.catch(() => {
      if (this.clusters === entry) this.clusters = undefined;
    });
    return list;
  }

  private async readClusterList(
    base: string,
    trustedOrigin: string,
    token: string,
  ): Promise<ListedCluster[]> {
    let response;
    try {
      response = await this.options.client.request({
        url: `${base}/clusters`,
        headers: { accept: 'application/json' },
        trustedOrigin,
        bearerToken: token,
      });
    } catch (error) {
      const { errorClass, message } = error as OutboundError;
      throw new OutboundError(
        errorClass ?? 'reset',
        `the Kubernetes plugin's cluster list did not answer (${message}); ${PLUGIN_HINT}`,
      );
    }
    if (response.status !== 200) {
      throw new OutboundError(
        'bad-status',
        `the Kubernetes plugin's cluster list returned HTTP ${response.status}; ${PLUGIN_HINT}`,
      );
    }
    let items: unknown;
    try {
      items = JSON.parse(response.body.toString('utf8')).items;
    } catch {
      items = undefined;
    }
    if (!Array.isArray(items)) {
      throw new OutboundError(
        'malformed-body',
        "the Kubernetes plugin's cluster list is not {items: [...]}",
      );
    }
    return items.filter(isListedCluster);
  }
}

function isListedCluster(item: unknown): item is ListedCluster {
  return typeof (item as { name?: unknown } | null)?.name === 'string';
}

/** The cluster's name, unless its auth provider cannot sign a call from a backend. */
function usableCluster(cluster: ListedCluster): string {
  const { name, authProvider } = cluster;
  if (
    authProvider !== undefined &&
    USER_TOKEN_AUTH_PROVIDERS.has(authProvider)
  ) {
    throw new OutboundError(
      'invalid-target',
      `cluster "${name}" uses the Kubernetes auth provider "${authProvider}", which needs the signed-in user's token; ` +
        `the mlops backend calls the Kubernetes plugin as a service, so give this cluster a server-side auth provider (${SERVER_SIDE_AUTH_PROVIDERS})`,
    );
  }
  return name;
}
