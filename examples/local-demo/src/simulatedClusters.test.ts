import {
  createKubernetesTestDouble,
  KubernetesObject,
} from '@internal/kubernetes-test-double';
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

  it("applies into the demo's own cluster and into one started earlier, registering neither again", async () => {
    const file = path.join(dir, 'known.yaml');
    const own = await createKubernetesTestDouble({ manifests: [] });
    const { refresher, calls } = catalog();
    try {
      clusters = new SimulatedClusters({
        catalogFile: file,
        catalog: refresher,
        known: { 'local-simulation': own },
      });
      await expect(
        clusters.deploy({
          ...deployment,
          cluster: 'local-simulation',
          serviceTargets: { 'ml/svc': modelUrl },
        }),
      ).resolves.toEqual({ url: own.url });
      const proxied = await fetch(
        `${own.url}/api/v1/namespaces/ml/services/svc:http/proxy/ready`,
      );
      expect(await proxied.text()).toBe('model at /ready');
      expect(calls).toEqual([]);

      const first = await clusters.deploy({
        ...deployment,
        serviceTargets: {},
      });
      const second = await clusters.deploy({
        ...deployment,
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'other', namespace: 'ml' },
          } as KubernetesObject,
        ],
        serviceTargets: {},
      });
      expect(second.url).toBe(first.url);
      const services = await (
        await fetch(`${first.url}/api/v1/namespaces/ml/services`)
      ).json();
      expect(services.items.map((s: any) => s.metadata.name)).toEqual([
        'other',
        'svc',
      ]);
      expect(calls).toEqual([
        `refresh ${file}`,
        'wait resource:default/svc-dev',
      ]);
    } finally {
      await own.stop();
    }
  });

  it("serves a first rollout and moves it on when the same objects are applied again, in a new cluster and in the demo's own", async () => {
    const own = await createKubernetesTestDouble({ manifests: [] });
    try {
      const simulated = new SimulatedClusters({
        catalogFile: path.join(dir, 'rollouts.yaml'),
        catalog: catalog().refresher,
        known: { 'local-simulation': own },
      });
      clusters = simulated;
      const deploymentStatus = async (url: string) =>
        (
          await (
            await fetch(`${url}/apis/apps/v1/namespaces/ml/deployments/svc`)
          ).json()
        ).status;
      for (const cluster of ['svc-dev', 'local-simulation']) {
        const { url } = await simulated.deploy({
          ...deployment,
          cluster,
          serviceTargets: {},
          scenario: 'first-rollout',
        });
        expect((await deploymentStatus(url)).availableReplicas).toBe(0);
        // No ready pod: the Service has no endpoint for the proxy yet.
        const unrouted = await fetch(
          `${url}/api/v1/namespaces/ml/services/svc:http/proxy/ready`,
        );
        expect(unrouted.status).toBe(503);

        await simulated.deploy({
          ...deployment,
          cluster,
          serviceTargets: { 'ml/svc': modelUrl },
        });
        const status = await deploymentStatus(url);
        expect(status.availableReplicas).toBe(status.replicas);
        const routed = await fetch(
          `${url}/api/v1/namespaces/ml/services/svc:http/proxy/ready`,
        );
        expect(await routed.text()).toBe('model at /ready');
      }
    } finally {
      await own.stop();
    }
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
