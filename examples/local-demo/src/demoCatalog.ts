import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { DemoService } from './demoServices';
import { ModelServer } from './modelServers';

type Entity = {
  kind: string;
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    links?: Array<{ url: string; title: string }>;
  };
  spec?: { definition?: unknown };
};

function pointAtLocalServers(
  component: Entity,
  service: DemoService,
  servers: ModelServer[],
) {
  const annotations = component.metadata.annotations ?? {};
  for (const key of Object.keys(annotations)) {
    if (key.startsWith('mlops/inference-url')) {
      delete annotations[key];
    }
  }
  const primary = service.environments[service.environments.length - 1];
  const links = component.metadata.links ?? [];
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
  component.metadata.annotations = annotations;
  component.metadata.links = links;
}

/**
 * Writes the demo services' catalog entities as the template rendered them, with the inference
 * URLs replaced by the local model servers and the API definition inlined (the catalog resolves
 * `$text` placeholders through URL readers, which do not read local files).
 */
export async function writeDemoCatalog(
  file: string,
  services: DemoService[],
  servers: ModelServer[],
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
        pointAtLocalServers(
          entity,
          service,
          servers.filter(server => server.service === service.name),
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
