import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import {
  createKubernetesTestDouble,
  KubernetesTestDouble,
} from './createKubernetesTestDouble';

const MANIFESTS = fs.readFileSync(
  path.join(__dirname, '__fixtures__/rendered-manifests.yaml'),
  'utf8',
);
const NAMESPACE = 'ml-services';
const SELECTOR = `labelSelector=${encodeURIComponent(
  'backstage.io/kubernetes-id=churn-model',
)}`;

describe('createKubernetesTestDouble', () => {
  let testDouble: KubernetesTestDouble;

  beforeAll(async () => {
    testDouble = await createKubernetesTestDouble({
      manifests: MANIFESTS,
      clock: () => new Date('2026-01-15T12:00:00Z'),
    });
  });
  afterAll(() => testDouble.stop());
  beforeEach(() => testDouble.setScenario('churn-model', 'healthy'));

  const get = (url: string) => request(testDouble.url).get(url);

  it('listens on 127.0.0.1 and labels every answer as a simulation', async () => {
    expect(testDouble.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await get('/version');
    expect(response.headers['x-kubernetes-test-double']).toBe('simulation');
    expect(response.body.gitVersion).toContain('kubernetes-test-double');
  });

  it('lists namespaced and cluster-wide, as a <Kind>List without kind on the items', async () => {
    for (const url of [
      `/apis/apps/v1/namespaces/${NAMESPACE}/deployments?${SELECTOR}`,
      `/apis/apps/v1/deployments?${SELECTOR}`,
      '/apis/apps/v1/deployments',
    ]) {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        kind: 'DeploymentList',
        apiVersion: 'apps/v1',
        metadata: { resourceVersion: expect.any(String) },
        items: [
          expect.objectContaining({
            metadata: expect.objectContaining({ name: 'churn-model' }),
          }),
        ],
      });
      expect(response.body.items[0].kind).toBeUndefined();
      expect(response.body.items[0].apiVersion).toBeUndefined();
    }
  });

  it.each([
    ['/api/v1/namespaces/ml-services/pods', 'PodList', 2],
    ['/api/v1/namespaces/ml-services/services', 'ServiceList', 1],
    ['/api/v1/namespaces/ml-services/configmaps', 'ConfigMapList', 0],
    ['/api/v1/namespaces/ml-services/limitranges', 'LimitRangeList', 0],
    ['/api/v1/namespaces/ml-services/resourcequotas', 'ResourceQuotaList', 0],
    ['/apis/apps/v1/namespaces/ml-services/replicasets', 'ReplicaSetList', 1],
    ['/apis/apps/v1/namespaces/ml-services/statefulsets', 'StatefulSetList', 0],
    ['/apis/apps/v1/namespaces/ml-services/daemonsets', 'DaemonSetList', 0],
    [
      '/apis/autoscaling/v2/namespaces/ml-services/horizontalpodautoscalers',
      'HorizontalPodAutoscalerList',
      1,
    ],
    ['/apis/batch/v1/namespaces/ml-services/jobs', 'JobList', 0],
    ['/apis/batch/v1/namespaces/ml-services/cronjobs', 'CronJobList', 0],
    [
      '/apis/networking.k8s.io/v1/namespaces/ml-services/ingresses',
      'IngressList',
      1,
    ],
    [
      '/apis/metrics.k8s.io/v1beta1/namespaces/ml-services/pods',
      'PodMetricsList',
      2,
    ],
    ['/api/v1/pods', 'PodList', 2],
    ['/api/v1/namespaces', 'NamespaceList', 1],
  ])('serves %s', async (url, kind, count) => {
    const response = await get(`${url}?${SELECTOR}`);
    expect(response.status).toBe(200);
    expect(response.body.kind).toBe(kind);
    expect(response.body.items).toHaveLength(count);
  });

  it('keeps kind and apiVersion on the items of custom resources', async () => {
    const response = await get(
      `/apis/monitoring.coreos.com/v1/namespaces/${NAMESPACE}/servicemonitors`,
    );
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      expect.objectContaining({
        kind: 'ServiceMonitor',
        apiVersion: 'monitoring.coreos.com/v1',
      }),
    ]);
  });

  it('filters by label selector', async () => {
    const select = async (selector: string) =>
      (await get(`/api/v1/pods?labelSelector=${encodeURIComponent(selector)}`))
        .body.items.length;
    expect(await select('backstage.io/kubernetes-id=churn-model')).toBe(2);
    expect(await select('backstage.io/kubernetes-id==churn-model')).toBe(2);
    expect(await select('backstage.io/kubernetes-id!=churn-model')).toBe(0);
    expect(await select('backstage.io/kubernetes-id=other')).toBe(0);
    expect(
      await select(
        'app.kubernetes.io/name=churn-model,app.kubernetes.io/component=model-server',
      ),
    ).toBe(2);
    const invalid = await get('/api/v1/pods?labelSelector=a%3Db%3Dc');
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it('gets single objects with kind and apiVersion', async () => {
    const response = await get(
      `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/churn-model`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      status: { replicas: 2 },
    });
    const namespace = await get(`/api/v1/namespaces/${NAMESPACE}`);
    expect(namespace.body).toMatchObject({
      kind: 'Namespace',
      status: { phase: 'Active' },
    });
  });

  it('answers 404 with a Status for unknown objects and paths', async () => {
    const missing = await get(
      `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/nope`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    for (const url of [
      '/apis/apps/v1/namespaces/ml-services/widgets',
      '/apis/apps/v2/deployments',
      '/apis/unknown.example.com/v1/things',
      '/api/v1/namespaces/ml-services/namespaces',
      '/nothing/here',
      '/api/v1/namespaces/ml-services/pods/a/b/c',
    ]) {
      const response = await get(url);
      expect({ url, status: response.status }).toEqual({ url, status: 404 });
      expect(response.body).toMatchObject({
        kind: 'Status',
        reason: 'NotFound',
        code: 404,
      });
    }
  });

  it('is read-only: 405 for anything but GET', async () => {
    const url = `/api/v1/namespaces/${NAMESPACE}/pods`;
    for (const response of [
      await request(testDouble.url).post(url).send({}),
      await request(testDouble.url).put(`${url}/x`).send({}),
      await request(testDouble.url).patch(`${url}/x`).send({}),
      await request(testDouble.url).delete(`${url}/x`),
    ]) {
      expect(response.status).toBe(405);
      expect(response.body).toMatchObject({
        kind: 'Status',
        reason: 'MethodNotAllowed',
        code: 405,
      });
    }
    expect((await request(testDouble.url).head(url)).status).toBe(200);
  });

  it('refuses to watch', async () => {
    const response = await get('/api/v1/pods?watch=true');
    expect(response.status).toBe(400);
  });

  it('serves the discovery documents', async () => {
    expect((await get('/api')).body).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    const groups = (await get('/apis')).body;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'autoscaling',
        'batch',
        'networking.k8s.io',
        'metrics.k8s.io',
        'monitoring.coreos.com',
      ]),
    );
    expect((await get('/apis/apps')).body).toMatchObject({
      kind: 'APIGroup',
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    const core = (await get('/api/v1')).body;
    expect(core.resources).toContainEqual(
      expect.objectContaining({
        name: 'pods',
        kind: 'Pod',
        namespaced: true,
        verbs: ['get', 'list'],
      }),
    );
    expect(core.resources).toContainEqual(
      expect.objectContaining({ name: 'namespaces', namespaced: false }),
    );
    expect(
      (await get('/apis/apps/v1')).body.resources.map(
        (r: { name: string }) => r.name,
      ),
    ).toEqual(['deployments', 'replicasets', 'statefulsets', 'daemonsets']);
    expect((await get('/healthz')).text).toBe('ok');
  });

  it('serves events by involved object', async () => {
    testDouble.setScenario('churn-model', 'crashloop');
    const pods = (await get(`/api/v1/namespaces/${NAMESPACE}/pods`)).body.items;
    const crashing = pods.find(
      (pod: any) => pod.status.containerStatuses[0].restartCount > 0,
    );
    const events = await get(
      `/api/v1/namespaces/${NAMESPACE}/events?fieldSelector=involvedObject.name=${crashing.metadata.name}`,
    );
    expect(events.body.kind).toBe('EventList');
    expect(events.body.items.map((e: any) => e.reason)).toEqual(
      expect.arrayContaining(['Scheduled', 'BackOff']),
    );
    expect(
      events.body.items.every(
        (e: any) => e.involvedObject.name === crashing.metadata.name,
      ),
    ).toBe(true);
  });

  it('serves simulated logs, and the kubelet errors when there are none', async () => {
    testDouble.setScenario('churn-model', 'imagepull');
    const pods = (await get(`/api/v1/namespaces/${NAMESPACE}/pods`)).body.items;
    const waiting = await get(
      `/api/v1/namespaces/${NAMESPACE}/pods/${pods[0].metadata.name}/log?container=server`,
    );
    expect(waiting.status).toBe(400);
    expect(waiting.body.message).toMatch(
      /is waiting to start: trying and failing to pull image$/,
    );

    testDouble.setScenario('churn-model', 'first-rollout');
    const [creating] = (await get(`/api/v1/namespaces/${NAMESPACE}/pods`)).body
      .items;
    const notCreated = await get(
      `/api/v1/namespaces/${NAMESPACE}/pods/${creating.metadata.name}/log?container=server`,
    );
    expect(notCreated.status).toBe(400);
    expect(notCreated.body.message).toMatch(
      /is waiting to start: ContainerCreating$/,
    );

    testDouble.setScenario('churn-model', 'oomkilled');
    const [healthy, restarted] = (
      await get(`/api/v1/namespaces/${NAMESPACE}/pods`)
    ).body.items.sort(
      (a: any, b: any) =>
        a.status.containerStatuses[0].restartCount -
        b.status.containerStatuses[0].restartCount,
    );
    const log = await get(
      `/api/v1/namespaces/${NAMESPACE}/pods/${healthy.metadata.name}/log`,
    );
    expect(log.status).toBe(200);
    expect(log.headers['content-type']).toBe('text/plain');
    expect(log.text).toMatch(/^\[simulation\]/);
    const noPrevious = await get(
      `/api/v1/namespaces/${NAMESPACE}/pods/${healthy.metadata.name}/log?previous=true`,
    );
    expect(noPrevious.status).toBe(400);
    const previous = await get(
      `/api/v1/namespaces/${NAMESPACE}/pods/${restarted.metadata.name}/log?previous=true`,
    );
    expect(previous.status).toBe(200);
    const unknownContainer = await get(
      `/api/v1/namespaces/${NAMESPACE}/pods/${healthy.metadata.name}/log?container=nope`,
    );
    expect(unknownContainer.status).toBe(400);
  });

  it('switches scenarios under a new resourceVersion, and refuses unknown ones', async () => {
    const before = (await get('/apis/apps/v1/deployments')).body;
    testDouble.setScenario('churn-model', 'stalled');
    const after = (await get('/apis/apps/v1/deployments')).body;
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.metadata.resourceVersion),
    );
    expect(after.items[0].status.conditions[1].reason).toBe(
      'ProgressDeadlineExceeded',
    );

    expect(() =>
      testDouble.setScenario('churn-model', 'exploding' as any),
    ).toThrow(
      'unknown scenario "exploding"; use one of healthy, stalled, crashloop, imagepull, oomkilled, hpa-max',
    );
    expect(() => testDouble.setScenario('other-model', 'crashloop')).toThrow(
      /only have Deployments \[churn-model\]/,
    );
    const unchanged = (await get('/apis/apps/v1/deployments')).body;
    expect(unchanged).toEqual(after);
  });

  it('records the requests it answered', async () => {
    const before = testDouble.requests.length;
    await get(`/api/v1/pods?${SELECTOR}`);
    expect(testDouble.requests.slice(before)).toEqual([
      { method: 'GET', url: `/api/v1/pods?${SELECTOR}`, status: 200 },
    ]);
  });
});

describe('createKubernetesTestDouble options', () => {
  it('accepts parsed objects, a given port and a request callback', async () => {
    const port = await new Promise<number>(resolve => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address() as AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
    const seen: string[] = [];
    const testDouble = await createKubernetesTestDouble({
      manifests: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', labels: { app: 'web' } },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
            },
          },
        },
      ],
      scenarios: { web: 'crashloop' },
      port,
      onRequest: r => seen.push(`${r.status} ${r.url}`),
    });
    try {
      expect(testDouble.url).toBe(`http://127.0.0.1:${port}`);
      const pods = (
        await request(testDouble.url).get(
          '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb',
        )
      ).body;
      expect(pods.items).toHaveLength(3);
      expect(
        pods.items[2].status.containerStatuses[0].state.waiting.reason,
      ).toBe('CrashLoopBackOff');
      expect(seen).toEqual([
        '200 /api/v1/namespaces/default/pods?labelSelector=app%3Dweb',
      ]);
    } finally {
      await testDouble.stop();
    }
  });

  it('applies objects later: new ones are added, same ones replaced, under a new resourceVersion, with their proxy targets', async () => {
    const model = http.createServer((req, res) => res.end(`model ${req.url}`));
    await new Promise<void>(resolve => model.listen(0, '127.0.0.1', resolve));
    const modelUrl = `http://127.0.0.1:${
      (model.address() as AddressInfo).port
    }`;
    const deployment = (name: string, image: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'ml', labels: { app: name } },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name, image }] },
        },
      },
    });
    const testDouble = await createKubernetesTestDouble({
      manifests: [deployment('a', 'a:1')],
    });
    try {
      const list = () =>
        request(testDouble.url).get('/apis/apps/v1/namespaces/ml/deployments');
      const before = (await list()).body.metadata.resourceVersion;
      testDouble.apply(
        [
          deployment('a', 'a:2'),
          deployment('b', 'b:1'),
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'b', namespace: 'ml' },
            spec: { ports: [{ name: 'http', port: 80 }] },
          },
        ],
        { 'ml/b': modelUrl },
      );
      const after = (await list()).body;
      expect(after.metadata.resourceVersion).not.toBe(before);
      expect(
        after.items.map(
          (d: any) =>
            `${d.metadata.name} ${d.spec.template.spec.containers[0].image}`,
        ),
      ).toEqual(['a a:2', 'b b:1']);
      const proxied = await request(testDouble.url).get(
        '/api/v1/namespaces/ml/services/b:http/proxy/ready',
      );
      expect(proxied.text).toBe('model /ready');
      expect(() => testDouble.apply('kind: Deployment\n')).toThrow(
        'has no apiVersion',
      );
      expect((await list()).body.items).toHaveLength(2);
    } finally {
      await testDouble.stop();
      await new Promise(resolve => model.close(resolve));
    }
  });

  it('rejects manifests that are not Kubernetes objects', async () => {
    await expect(
      createKubernetesTestDouble({ manifests: 'kind: Deployment\n' }),
    ).rejects.toThrow('manifest document 1 has no apiVersion');
    await expect(
      createKubernetesTestDouble({
        manifests: MANIFESTS,
        scenarios: { 'churn-model': 'nope' as any },
      }),
    ).rejects.toThrow('unknown scenario "nope"');
  });
});
