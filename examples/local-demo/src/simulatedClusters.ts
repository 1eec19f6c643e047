import {
  createKubernetesTestDouble,
  DeploymentScenario,
  KubernetesObject,
  KubernetesTestDouble,
} from '@internal/kubernetes-test-double';
import fs from 'node:fs/promises';
import yaml from 'yaml';

/**
 * What a simulated cluster's `kubernetes.io/api-server-certificate-authority`
 * says: the catalog cluster locator requires the annotation, but the
 * simulation serves plain HTTP on loopback, so there is no CA to name.
 */
export const NO_CA_DATA = Buffer.from(
  'local demo simulation: plain HTTP on loopback, no certificate authority',
).toString('base64');

const HEADER = `# Written by the local demo while it runs; do not edit.
# Kubernetes clusters the local runner simulated for the services it deployed,
# as kubernetes-cluster Resources for the Kubernetes plugin's catalog locator.
`;

/** A simulated cluster the local runner started for a deployment. */
export interface SimulatedCluster {
  name: string;
  url: string;
  /** The owner and Component of the service deployed into it. */
  owner: string;
  componentRef: string;
}

/** The `kubernetes-cluster` Resource the Kubernetes plugin's catalog locator reads for a simulated cluster. */
export function simulatedClusterEntity(cluster: SimulatedCluster) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: cluster.name,
      description: `LOCAL DEMO SIMULATION of the cluster ${cluster.name}: the Kubernetes test double the local runner started when it deployed ${cluster.componentRef}. Not a real cluster.`,
      annotations: {
        'kubernetes.io/api-server': cluster.url,
        'kubernetes.io/api-server-certificate-authority': NO_CA_DATA,
        // No credentials: the simulation accepts any request.
        'kubernetes.io/auth-provider': 'localKubectlProxy',
      },
    },
    spec: {
      type: 'kubernetes-cluster',
      owner: cluster.owner,
      dependencyOf: [cluster.componentRef],
    },
  };
}

/** Asks the catalog to read a file location again, so that new entities in it appear now. */
export interface CatalogRefresher {
  refreshFileLocation(file: string): Promise<void>;
  /** Resolves once the entity is in the catalog; rejects after `timeoutMs`. */
  waitForEntity(ref: string, timeoutMs: number): Promise<void>;
  /** Whether a location with this target prefix is registered in the catalog. */
  hasLocationStartingWith(prefix: string): Promise<boolean>;
}

/** The example backend's catalog API, called with the local demo's static external-access token. */
export function catalogApi(
  backendUrl: string,
  token: string,
): CatalogRefresher {
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${backendUrl}/api/catalog${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok && response.status !== 404) {
      throw new Error(
        `${method} /api/catalog${route} answered HTTP ${response.status}: ${(
          await response.text()
        ).slice(0, 300)}`,
      );
    }
    return response;
  };
  return {
    async refreshFileLocation(file) {
      const response = await call('GET', '/entities?filter=kind=location');
      const locations = (await response.json()) as Array<{
        metadata: { name: string; namespace?: string };
        spec?: { type?: string; target?: string };
      }>;
      const location = locations.find(
        l => l.spec?.type === 'file' && l.spec.target === file,
      );
      if (!location) {
        throw new Error(`the catalog has no file location ${file}`);
      }
      await call('POST', '/refresh', {
        entityRef: `location:${location.metadata.namespace ?? 'default'}/${
          location.metadata.name
        }`,
      });
    },
    async waitForEntity(ref, timeoutMs) {
      const [kind, rest] = ref.split(':');
      const [namespace, name] = rest.split('/');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await call(
          'GET',
          `/entities/by-name/${kind}/${namespace}/${name}`,
        );
        if (response.ok) return;
        if (Date.now() > deadline) {
          throw new Error(
            `${ref} was not in the catalog within ${timeoutMs / 1000} s`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 500));
      }
    },
    async hasLocationStartingWith(prefix) {
      const response = await call('GET', '/locations');
      const locations = (await response.json()) as Array<{
        data?: { target?: string };
      }>;
      return locations.some(l => l.data?.target?.startsWith(prefix));
    },
  };
}

/** What a deployment adds to a simulated cluster. */
export interface ClusterDeployment {
  cluster: string;
  objects: KubernetesObject[];
  /** `<namespace>/<service>` → local URL, for the service proxy. */
  serviceTargets: Record<string, string>;
  /** Where the rollout of the objects' Deployments stands; by default complete (`healthy`). */
  scenario?: DeploymentScenario;
  owner: string;
  componentRef: string;
}

function deploymentScenarios(
  deployment: ClusterDeployment,
): Record<string, DeploymentScenario> {
  const scenario = deployment.scenario ?? 'healthy';
  return Object.fromEntries(
    deployment.objects
      .filter(object => object.kind === 'Deployment')
      .map(object => [object.metadata.name, scenario]),
  );
}

/**
 * The Kubernetes clusters the local runner deploys into, beyond the demo's
 * own simulation: one Kubernetes test double per cluster name a deployment
 * names, listed as a `kubernetes-cluster` Resource in a catalog file the
 * demo registered, which is re-read at once so that the Kubernetes plugin
 * (catalog locator) knows the cluster within seconds.
 */
export class SimulatedClusters {
  private readonly clusters = new Map<
    string,
    { cluster: SimulatedCluster; double: KubernetesTestDouble }
  >();
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      /** The catalog file of the clusters (a `file` location of the demo's config). */
      catalogFile: string;
      catalog: CatalogRefresher;
      /** Clusters the Kubernetes plugin already knows by these names (the demo's own simulation). */
      known?: Record<string, KubernetesTestDouble>;
    },
  ) {}

  /** Writes the empty catalog file; call before the backend starts. */
  static async writeEmptyCatalog(file: string): Promise<void> {
    await fs.writeFile(file, HEADER);
  }

  /** The clusters this started, not the known ones. */
  names(): string[] {
    return [...this.clusters.keys()];
  }

  /**
   * Applies the objects to the named cluster: a known one or one started
   * earlier gets them added (as `kubectl apply`); otherwise a new simulated
   * cluster serves them and is registered with the catalog, and this resolves
   * once the catalog has its Resource. The objects' Deployments are in the
   * deployment's scenario, so applying the same objects again moves their
   * rollout on.
   */
  async deploy(deployment: ClusterDeployment): Promise<{ url: string }> {
    const { cluster: name, objects, serviceTargets } = deployment;
    const scenarios = deploymentScenarios(deployment);
    const existing =
      this.options.known?.[name] ?? this.clusters.get(name)?.double;
    if (existing) {
      existing.apply(objects, serviceTargets);
      for (const [deploymentName, scenario] of Object.entries(scenarios)) {
        existing.setScenario(deploymentName, scenario);
      }
      return { url: existing.url };
    }
    const double = await createKubernetesTestDouble({
      manifests: objects,
      serviceTargets,
      scenarios,
    });
    const cluster: SimulatedCluster = {
      name,
      url: double.url,
      owner: deployment.owner,
      componentRef: deployment.componentRef,
    };
    this.clusters.set(name, { cluster, double });
    try {
      await this.writeCatalog();
      await this.options.catalog.refreshFileLocation(this.options.catalogFile);
      await this.options.catalog.waitForEntity(
        `resource:default/${name}`,
        30_000,
      );
    } catch (error) {
      this.clusters.delete(name);
      await double.stop().catch(() => undefined);
      await this.writeCatalog().catch(() => undefined);
      throw error;
    }
    return cluster;
  }

  private writeCatalog(): Promise<void> {
    const entities = [...this.clusters.values()].map(({ cluster }) =>
      simulatedClusterEntity(cluster),
    );
    const text = `${HEADER}${entities
      .map(entity => `---\n${yaml.stringify(entity)}`)
      .join('')}`;
    // One write at a time, each of the whole file.
    this.written = this.written
      .catch(() => undefined)
      .then(() => fs.writeFile(this.options.catalogFile, text));
    return this.written;
  }

  async stop(): Promise<void> {
    const running = [...this.clusters.values()];
    this.clusters.clear();
    await Promise.all(running.map(({ double }) => double.stop()));
  }
}
