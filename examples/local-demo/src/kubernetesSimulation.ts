import {
  createKubernetesTestDouble,
  DeploymentScenario,
  KubernetesObject,
  KubernetesTestDouble,
  loadManifests,
  parseManifests,
} from '@internal/kubernetes-test-double';
import path from 'node:path';
import { DemoService } from './demoServices';
import { ModelServer } from './modelServers';

/** The simulated cluster's name in the demo's Kubernetes plugin configuration. */
export const DEMO_CLUSTER = 'local-simulation';

/** One demo service shows what an autoscaler at its limit looks like. */
const DEMO_SCENARIOS: Record<string, DeploymentScenario> = {
  'demand-forecast': 'hpa-max',
};

/**
 * The demo services the catalog reaches only through the Kubernetes API
 * server's service proxy (the simulation forwards to their model server), as
 * Backstage reaches a model in a cluster it has no network path into.
 */
export const DEMO_PROXIED_SERVICES: readonly string[] = ['fraud-score'];

/** Where a demo service is reached through the simulated cluster's service proxy. */
export interface DemoKubernetesTarget {
  service: string;
  namespace: string;
  /** `<cluster>/<namespace>/<service>:<port>`, the `mlops/kubernetes-service` annotation. */
  annotation: string;
  /** The local model server the simulation forwards to. */
  url: string;
}

function identity(object: KubernetesObject): string {
  const { apiVersion, kind, metadata } = object;
  return `${apiVersion}/${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
}

/**
 * The proxy targets of the demo services in `proxied`: the Service of each one's
 * last environment overlay (its namespace and its `http` port) forwarded to
 * the model server of that environment. A service without such a Service or
 * server is not proxied.
 */
export function demoKubernetesTargets(
  objects: readonly KubernetesObject[],
  services: readonly DemoService[],
  servers: readonly Pick<ModelServer, 'service' | 'environment' | 'url'>[],
  proxied: readonly string[] = DEMO_PROXIED_SERVICES,
): DemoKubernetesTarget[] {
  return services.flatMap(service => {
    if (!proxied.includes(service.name)) return [];
    const environment = service.environments[service.environments.length - 1];
    const server = servers.find(
      s => s.service === service.name && s.environment === environment,
    );
    const manifest = objects.find(
      object =>
        object.kind === 'Service' &&
        object.metadata.name === service.name &&
        (
          (object as { spec?: { ports?: Array<{ name?: string }> } }).spec
            ?.ports ?? []
        ).some(port => port.name === 'http'),
    );
    const namespace = manifest?.metadata.namespace;
    if (!server || !namespace) return [];
    return [
      {
        service: service.name,
        namespace,
        annotation: `${DEMO_CLUSTER}/${namespace}/${service.name}:http`,
        url: server.url,
      },
    ];
  });
}

/** The test double's `serviceTargets` for the targets: `<namespace>/<service>` → model server URL. */
export function doubleServiceTargets(
  targets: readonly DemoKubernetesTarget[],
): Record<string, string> {
  return Object.fromEntries(
    targets.map(target => [
      `${target.namespace}/${target.service}`,
      target.url,
    ]),
  );
}

/** The read-only Kubernetes API simulation and the services reached through its service proxy. */
export interface KubernetesSimulation {
  double: KubernetesTestDouble;
  targets: DemoKubernetesTarget[];
}

/**
 * The read-only Kubernetes API simulation, serving each demo service's last
 * environment overlay as one simulated cluster. Services share a namespace,
 * which their overlays each declare: it is kept once. The service proxy of
 * the {@link DEMO_PROXIED_SERVICES} forwards to their model servers.
 */
export async function startKubernetesSimulation(
  services: DemoService[],
  servers: readonly ModelServer[],
): Promise<KubernetesSimulation> {
  const objects = new Map<string, KubernetesObject>();
  for (const service of services) {
    const environment = service.environments[service.environments.length - 1];
    const text = await loadManifests(
      path.join(service.repoDir, 'k8s/overlays', environment),
    );
    for (const object of parseManifests(text)) {
      if (!objects.has(identity(object))) {
        objects.set(identity(object), object);
      }
    }
  }
  const manifests = [...objects.values()];
  const targets = demoKubernetesTargets(manifests, services, servers);
  const double = await createKubernetesTestDouble({
    manifests,
    scenarios: Object.fromEntries(
      Object.entries(DEMO_SCENARIOS).filter(([name]) =>
        services.some(service => service.name === name),
      ),
    ),
    serviceTargets: doubleServiceTargets(targets),
  });
  return { double, targets };
}
