import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { KubernetesServiceTarget } from '@eks-mlops/backstage-plugin-mlops-common';
import { OutboundClient, OutboundError } from '../outbound';
import type { EndpointRoute } from '../routing/EndpointRouter';

/** The header that names the cluster of a call to the Kubernetes plugin's proxy. */
export const KUBERNETES_CLUSTER_HEADER = 'backstage-kubernetes-cluster';

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
 * The cluster must be one the Kubernetes plugin lists at `/clusters`; a
 * target without a cluster is accepted while it lists exactly one.
 */
export class KubernetesServiceProxy {
  private clusters?: { names: Promise<string[]>; readAt: number };

  constructor(private readonly options: KubernetesServiceProxyOptions) {}

  async route(target: KubernetesServiceTarget): Promise<EndpointRoute> {
    const base = (
      await this.options.discovery.getBaseUrl('kubernetes')
    ).replace(/\/+$/, '');
    const trustedOrigin = new URL(base).origin;
    const token = await this.token();
    const cluster = await this.clusterOf(target, base, trustedOrigin, token);
    const service = `${target.service}:${target.port}`;
    return {
      url: `${base}/proxy/api/v1/namespaces/${target.namespace}/services/${service}/proxy`,
      headers: { [KUBERNETES_CLUSTER_HEADER]: cluster },
      trustedOrigin,
      bearerToken: token,
    };
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
    let names = await this.clusterNames(base, trustedOrigin, token);
    if (
      target.cluster !== undefined &&
      !names.includes(target.cluster) &&
      this.clusterListAgeMs() >= (this.options.clusterMissRefreshMs ?? 5_000)
    ) {
      this.clusters = undefined;
      names = await this.clusterNames(base, trustedOrigin, token);
    }
    const listed = names.length > 0 ? names.join(', ') : 'none';
    if (target.cluster === undefined) {
      if (names.length === 1) return names[0];
      throw new OutboundError(
        'invalid-target',
        `the Kubernetes target names no cluster and the Kubernetes plugin configures ${names.length} (${listed}); name one as <cluster>/<namespace>/<service>`,
      );
    }
    if (!names.includes(target.cluster)) {
      throw new OutboundError(
        'invalid-target',
        `cluster "${target.cluster}" is not configured in the Kubernetes plugin (configured: ${listed})`,
      );
    }
    return target.cluster;
  }

  private clusterListAgeMs(): number {
    return this.clusters ? Date.now() - this.clusters.readAt : Infinity;
  }

  private clusterNames(
    base: string,
    trustedOrigin: string,
    token: string,
  ): Promise<string[]> {
    const maxAge = this.options.clusterCacheMs ?? 60_000;
    const cached = this.clusters;
    if (cached && Date.now() - cached.readAt < maxAge) return cached.names;
    const names = this.readClusterNames(base, trustedOrigin, token);
    const entry = { names, readAt: Date.now() };
    this.clusters = entry;
    // A failed read is not reused.
    names.catch(() => {
      if (this.clusters === entry) this.clusters = undefined;
    });
    return names;
  }

  private async readClusterNames(
    base: string,
    trustedOrigin: string,
    token: string,
  ): Promise<string[]> {
    const response = await this.options.client.request({
      url: `${base}/clusters`,
      headers: { accept: 'application/json' },
      trustedOrigin,
      bearerToken: token,
    });
    if (response.status !== 200) {
      throw new OutboundError(
        'bad-status',
        `the Kubernetes plugin's cluster list returned HTTP ${response.status}`,
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
    return items
      .map(item => (item as { name?: unknown })?.name)
      .filter((name): name is string => typeof name === 'string');
  }
}
