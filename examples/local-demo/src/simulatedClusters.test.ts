import { KubernetesObject } from '@internal/kubernetes-test-double';
import fs from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import {
  CatalogRefresher,
  NO_CA_DATA,
  SimulatedClusters,
} from './simulatedClusters';

const objects: KubernetesObject[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'svc',
      namespace: 'ml',
      labels: { 'backstage.io/kubernetes-id': 'svc' },
    },
    spec: {
      selector: { matchLabels: { app: 'svc' } },
      template: {
        metadata: { labels: { app: 'svc' } },
        spec: { containers: [{ name: 'model', image: 'svc:1' }] },
      },
    },
  } as KubernetesObject,
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc', namespace: 'ml' },
    spec: { ports: [{ name: 'http', port: 80 }] },
  } as KubernetesObject,
];

describe('SimulatedClusters', () => {
  let dir: string;
  let model: Server;
  let modelUrl: string;
  let clusters: SimulatedClusters | undefined;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'simulated-clusters-'));
    model = createServer((request, response) =>
      response.end(`model at ${request.url}`),
    );
    await new Promise<void>(resolve => model.listen(0, '127.0.0.1', resolve));
    modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise(resolve => model.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await clusters?.stop();
    clusters = undefined;
  });

  function catalog(overrides: Partial<CatalogRefresher> = {}) {
    const calls: string[] = [];
    const refresher: CatalogRefresher = {
      refreshFileLocation: async file => {
        calls.push(`refresh ${file}`);
      },
      waitForEntity: async ref => {
        calls.push(`wait ${ref}`);
      },
      hasLocationStartingWith: async () => true,
      ...overrides,
    };
    return { refresher, calls };
  }

  const deployment = {
    cluster: 'svc-dev',
    objects,
    owner: 'group:default/ml-team',
    componentRef: 'component:default/svc',
  };

  it('serves the objects as a new cluster, forwards its service proxy, lists it in the catalog file and has the catalog re-read it', async () => {
    const file = path.join(dir, 'clusters.yaml');
    await SimulatedClusters.writeEmptyCatalog(file);
    expect(
      yaml.parseAllDocuments(await fs.readFile(file, 'utf8')),
    ).toHaveLength(0);
    const { refresher, calls } = catalog();
    clusters = new SimulatedClusters({
      catalogFile: file,
      catalog: refresher,
      reserved: ['local-simulation'],
    });
    const cluster = await clusters.deploy({
      ...deployment,
      serviceTargets: { 'ml/svc': modelUrl },
    });

    const deployments = await (
      await fetch(`${cluster.url}/apis/apps/v1/namespaces/ml/deployments`)
    ).json();
    expect(deployments.items.map((d: any) => d.metadata.name)).toEqual(['svc']);
    const proxied = await fetch(
      `${cluster.url}/api/v1/namespaces/ml/services/svc:http/proxy/v2/health/ready`,
    );
    expect(await proxied.text()).toBe('model at /v2/health/ready');

    const entities = yaml
      .parseAllDocuments(await fs.readFile(file, 'utf8'))
      .map(d => d.toJS());
    expect(entities).toEqual([
      expect.objectContaining({
        kind: 'Resource',
        metadata: expect.objectContaining({
          name: 'svc-dev',
          annotations: {
            'kubernetes.io/api-server': cluster.url,
            'kubernetes.io/api-server-certificate-authority': NO_CA_DATA,
            'kubernetes.io/auth-provider': 'localKubectlProxy',
          },
        }),
        spec: {
          type: 'kubernetes-cluster',
          owner: 'group:default/ml-team',
          dependencyOf: ['component:default/svc'],
        },
      }),
    ]);
    expect(calls).toEqual([`refresh ${file}`, 'wait resource:default/svc-dev']);
    expect(clusters.names()).toEqual(['svc-dev']);

    await clusters.stop();
    await expect(fetch(`${cluster.url}/version`)).rejects.toThrow();
  });

  it("refuses the demo's own cluster and a second deployment into a cluster", async () => {
    const file = path.join(dir, 'refused.yaml');
    clusters = new SimulatedClusters({
      catalogFile: file,
      catalog: catalog().refresher,
      reserved: ['local-simulation'],
    });
    await expect(
      clusters.deploy({
        ...deployment,
        cluster: 'local-simulation',
        serviceTargets: {},
      }),
    ).rejects.toThrow("the demo's own simulation");
    await clusters.deploy({ ...deployment, serviceTargets: {} });
    await expect(
      clusters.deploy({ ...deployment, serviceTargets: {} }),
    ).rejects.toThrow('already simulated for component:default/svc');
  });

  it('stops the cluster and takes it out of the file when the catalog cannot be asked', async () => {
    const file = path.join(dir, 'failing.yaml');
    const { refresher } = catalog({
      refreshFileLocation: async () => {
        throw new Error('POST /api/catalog/refresh answered HTTP 401');
      },
    });
    clusters = new SimulatedClusters({
      catalogFile: file,
      catalog: refresher,
      reserved: [],
    });
    await expect(
      clusters.deploy({ ...deployment, serviceTargets: {} }),
    ).rejects.toThrow('HTTP 401');
    expect(clusters.names()).toEqual([]);
    expect(
      yaml.parseAllDocuments(await fs.readFile(file, 'utf8')),
    ).toHaveLength(0);
  });
});
