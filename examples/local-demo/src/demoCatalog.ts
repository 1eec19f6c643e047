import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { DemoService } from './demoServices';
import { ModelServer } from './modelServers';

export type Entity = {
  kind: string;
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    links?: Array<{ url: string; title: string }>;
  };
  spec?: { definition?: unknown };
};

const KUBERNETES_SERVICE_ANNOTATION = 'mlops/kubernetes-service';

/**
 * Points a demo service's entity at its local endpoints: the model servers'
 * URLs, or, for a service reached through the Kubernetes simulation's service
 * proxy, only the `mlops/kubernetes-service` target (no URL, no link to the
 * model server), as for a model Backstage has no network path to.
 */
export function pointAtLocalEndpoints(
  component: Entity,
  service: DemoService,
  servers: Pick<ModelServer, 'environment' | 'url'>[],
  kubernetesTarget?: string,
): void {
  const annotations = component.metadata.annotations ?? {};
  for (const key of Object.keys(annotations)) {
    if (
      key.startsWith('mlops/inference-url') ||
      key.startsWith(KUBERNETES_SERVICE_ANNOTATION)
    ) {
      delete annotations[key];
    }
  }
  const primary = service.environments[service.environments.length - 1];
  const links = component.metadata.links ?? [];
  if (kubernetesTarget) {
    annotations[KUBERNETES_SERVICE_ANNOTATION] = kubernetesTarget;
    annotations['mlops/inference-environment'] = primary;
  } else {
    for (const server of servers) {
      const key =
        server.environment === primary
          ? 'mlops/inference-url'
          : `mlops/inference-url-${server.environment}`;
      annotations[key] = server.url;
      links.push({
        url: `${server.url}/v2/models/${service.name}`,
        title: `Local model server (${server.environment})`,
      });
    }
  }
  component.metadata.annotations = annotations;
  component.metadata.links = links;
}

/**
 * Writes the demo services' catalog entities as the template rendered them, with the inference
 * URLs replaced by the local model servers and the API definition inlined (the catalog resolves
 * `$text` placeholders through URL readers, which do not read local files). A service named in
 * `kubernetesTargets` (service name → `mlops/kubernetes-service` value) gets that target instead
 * of URLs.
 */
export async function writeDemoCatalog(
  file: string,
  services: DemoService[],
  servers: ModelServer[],
  kubernetesTargets: Record<string, string> = {},
): Promise<void> {
  const documents: Entity[] = [];
  for (const service of services) {
    const text = await fs.readFile(
      path.join(service.repoDir, 'catalog-info.yaml'),
      'utf8',
    );
    for (const entity of yaml
      .parseAllDocuments(text)
      .map(doc => doc.toJS() as Entity)) {
      if (entity.kind === 'Component') {
        pointAtLocalEndpoints(
          entity,
          service,
          servers.filter(server => server.service === service.name),
          kubernetesTargets[service.name],
        );
      }
      if (entity.kind === 'API' && entity.spec) {
        entity.spec.definition = await fs.readFile(
          path.join(service.repoDir, 'openapi.yaml'),
          'utf8',
        );
      }
      documents.push(entity);
    }
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(
    file,
    `# Written by the local demo at start-up: the demo services rendered from the template,\n# served on loopback. Do not edit.\n${documents
      .map(doc => yaml.stringify(doc))
      .join('---\n')}`,
  );
}
