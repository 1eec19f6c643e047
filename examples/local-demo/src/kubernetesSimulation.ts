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

/** One demo service shows what an autoscaler at its limit looks like. */
const DEMO_SCENARIOS: Record<string, DeploymentScenario> = {
  'demand-forecast': 'hpa-max',
};

function identity(object: KubernetesObject): string {
  const { apiVersion, kind, metadata } = object;
  return `${apiVersion}/${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
}

/**
 * The read-only Kubernetes API simulation, serving each demo service's last
 * environment overlay as one simulated cluster. Services share a namespace,
 * which their overlays each declare: it is kept once.
 */
export async function startKubernetesSimulation(
  services: DemoService[],
): Promise<KubernetesTestDouble> {
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
  return createKubernetesTestDouble({
    manifests: [...objects.values()],
    scenarios: Object.fromEntries(
      Object.entries(DEMO_SCENARIOS).filter(([name]) =>
        services.some(service => service.name === name),
      ),
    ),
  });
}
