/*
 * Health and predict through the Kubernetes API server's service proxy: the
 * mlops plugin (startTestBackend) calls the REAL Kubernetes backend plugin
 * (its own process, see __testUtils__/kubernetesBackendMain.ts), which calls
 * the Kubernetes test double, which forwards services/<name>:<port>/proxy to
 * a real HTTP model stand-in.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  createKubernetesTestDouble,
  KubernetesTestDouble,
} from '@internal/kubernetes-test-double';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';
import request from 'supertest';
import {
  FixtureServer,
  redirectHandler,
  resetHandler,
  sendJson,
  startFixture,
  v2Handler,
} from '../__testUtils__/httpFixtures';
import { modelEntity } from '../__testUtils__/entities';
import {
  MlopsTestBackend,
  postPrediction,
  startMlopsTestBackend,
} from '../__testUtils__/mlopsTestBackend';
import {
  RunningKubernetesBackend,
  startKubernetesBackend,
} from '../__testUtils__/startKubernetesBackend';

jest.setTimeout(120_000);

const NAMESPACE = 'ml-services';

/** A Service (and nothing else) per name, in the ml-services namespace. */
function services(...names: string[]) {
  return names.map(name => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  }));
}

describe('health and predict through the Kubernetes service proxy', () => {
  let model: FixtureServer;
  let redirecting: FixtureServer;
  let trap: FixtureServer;
  let locked: FixtureServer;
  let droppingApiServer: FixtureServer;
  let double: KubernetesTestDouble;
  let kubernetes: RunningKubernetesBackend;
  let harness: MlopsTestBackend;

  const entities = [
    modelEntity('explicit', {
      'mlops/kubernetes-service': `demo/${NAMESPACE}/model-a:http`,
    }),
    modelEntity('implicit', {
      'backstage.io/kubernetes-id': 'model-a',
      'backstage.io/kubernetes-namespace': NAMESPACE,
      'backstage.io/kubernetes-cluster': 'demo',
    }),
    modelEntity('unknown-cluster', {
      'mlops/kubernetes-service': `nowhere/${NAMESPACE}/model-a`,
    }),
    modelEntity('bad-namespace', {
      'mlops/kubernetes-service': 'demo/ML_Services/model-a',
    }),
    modelEntity('bad-service', {
      'mlops/kubernetes-service': `demo/${NAMESPACE}/Model.A`,
    }),
    modelEntity('redirects', {
      'mlops/kubernetes-service': `demo/${NAMESPACE}/model-r`,
    }),
    modelEntity('not-deployed', {
      'mlops/kubernetes-service': `demo/${NAMESPACE}/model-missing`,
    }),
    modelEntity('no-endpoints', {
      'mlops/kubernetes-service': `demo/${NAMESPACE}/model-idle`,
    }),
    modelEntity('forbidden', {
      'mlops/kubernetes-service': `demo/${NAMESPACE}/model-locked:http`,
    }),
    modelEntity('forbidden-v1', {
      'mlops/kubernetes-service': `demo/${NAMESPACE}/model-locked:http`,
      [MLOPS_ANNOTATIONS.inferenceProtocol]: 'v1',
    }),
    modelEntity('cluster-down', {
      'mlops/kubernetes-service': `gone/${NAMESPACE}/model-a`,
    }),
  ];

  beforeAll(async () => {
    model = await startFixture(v2Handler({ modelName: 'm' }));
    trap = await startFixture((_req, res) => sendJson(res, 200, {}));
    redirecting = await startFixture(redirectHandler(`${trap.url}/stolen`));
    locked = await startFixture(v2Handler({ modelName: 'm' }));
    droppingApiServer = await startFixture(resetHandler);
    double = await createKubernetesTestDouble({
      manifests: services('model-a', 'model-r', 'model-idle', 'model-locked'),
      serviceTargets: {
        [`${NAMESPACE}/model-a`]: model.url,
        [`${NAMESPACE}/model-r`]: redirecting.url,
        [`${NAMESPACE}/model-locked`]: locked.url,
      },
      forbiddenServiceProxies: [`${NAMESPACE}/model-locked`],
    });
    kubernetes = await startKubernetesBackend([
      { name: 'demo', url: double.url },
      { name: 'other', url: double.url },
      // An API server that drops every connection: the Kubernetes plugin answers itself.
      { name: 'gone', url: droppingApiServer.url },
    ]);
    harness = await startMlopsTestBackend({
      entities,
      kubernetesBaseUrl: kubernetes.baseUrl,
      // Strict guard: loopback is refused except at the discovered origin.
      config: { outbound: { allowPrivateNetworks: false } },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await kubernetes?.stop();
    await double?.stop();
    await Promise.all(
      [model, redirecting, trap, locked, droppingApiServer].map(s =>
        s?.close(),
      ),
    );
  });

  const health = (name: string) =>
    request(harness.backend.server)
      .get(`/api/mlops/v1/entities/component/default/${name}/health`)
      .set('authorization', mockCredentials.user.header());
  const predict = (name: string) => postPrediction(harness, name);

  it('probes a model through the proxy path, explicit and implied targets alike', async () => {
    for (const name of ['explicit', 'implicit']) {
      const res = await health(name);
      expect(res.status).toBe(200);
      expect(res.body.endpoints[0]).toMatchObject({
        url: `k8s:demo/${NAMESPACE}/model-a:http`,
        state: 'healthy',
        live: true,
        ready: true,
        modelReady: true,
        model: { name: 'm' },
      });
    }
    const paths = model.received.map(r => r.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/v2/health/ready', '/v2/models/m']),
    );
    // Through the API server's service proxy path, not around it, after one
    // warm-up call to the cluster (the first proxied call after a start).
    const calls = double.requests.map(r => r.url);
    const ready = `/api/v1/namespaces/${NAMESPACE}/services/model-a:http/proxy/v2/health/ready`;
    expect(calls.filter(url => url === '/version')).toHaveLength(1);
    expect(calls.indexOf('/version')).toBeLessThan(calls.indexOf(ready));
    // The model never sees a Backstage or cluster credential.
    expect(model.received.every(r => !r.headers.authorization)).toBe(true);
  });

  it('predicts through the proxy path', async () => {
    const res = await predict('explicit');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(200);
    expect(res.body.body.model_name).toBe('m');
    const infer = model.received.filter(r => r.path === '/v2/models/m/infer');
    expect(infer.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(infer.at(-1)!.body).inputs[0].data).toEqual([1, 2]);
    expect(double.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: `/api/v1/namespaces/${NAMESPACE}/services/model-a:http/proxy/v2/models/m/infer`,
    });
  });

  it.each([
    [
      'unknown-cluster',
      /cluster "nowhere" is not configured in the Kubernetes plugin \(configured: demo, other, gone\)/,
    ],
    ['bad-namespace', /namespace "ML_Services" is not a DNS-1123 label/],
    ['bad-service', /service "Model.A" is not a DNS-1035 label/],
  ])('refuses %s without calling anything', async (name, message) => {
    const before = double.requests.length;
    const res = await health(name);
    expect(res.status).toBe(200);
    expect(res.body.endpoints[0]).toMatchObject({
      state: 'unknown',
      errorClass: 'invalid-target',
    });
    expect(res.body.endpoints[0].errorMessage).toMatch(message);
    const refused = await predict(name);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(message);
    expect(double.requests.length).toBe(before);
  });

  it.each([
    [
      'not-deployed',
      'unknown',
      404,
      /^model not reached: the Kubernetes API server answered 404 NotFound: services "model-missing" not found; the Service does not exist: not deployed yet/,
    ],
    [
      'no-endpoints',
      'down',
      503,
      /^ready: the Kubernetes API server answered 503 ServiceUnavailable: no endpoints available for service "model-idle".*; no ready pod behind the Service answered$/,
    ],
    [
      'forbidden',
      'unknown',
      403,
      /^model not reached: the Kubernetes API server answered 403 Forbidden: services "model-locked:http" is forbidden: .* cannot get resource "services\/proxy" .*; Backstage's identity in the cluster needs get and create on services\/proxy/,
    ],
    [
      'forbidden-v1',
      'unknown',
      403,
      /^model not reached: the Kubernetes API server answered 403 Forbidden: services "model-locked:http" is forbidden/,
    ],
    [
      'cluster-down',
      'unknown',
      500,
      /^model not reached: the Kubernetes plugin answered 500: \w*Error: Cluster 'gone' request error; caused by .*(socket hang up|ECONNRESET)/,
    ],
  ])(
    "reports %s as what the proxy answered in the model's place",
    async (name, state, httpStatus, message) => {
      const res = await health(name);
      expect(res.status).toBe(200);
      const [endpoint] = res.body.endpoints;
      expect(endpoint).toMatchObject({
        state,
        httpStatus,
        errorClass: 'kubernetes-proxy',
      });
      expect(endpoint.errorMessage).toMatch(message);

      const refused = await predict(name);
      expect(refused.status).toBe(502);
      expect(refused.body.error.message).toMatch(
        /^the model was not reached: the Kubernetes (API server|plugin) answered/,
      );
      expect(refused.body.error.message).toContain(`answered ${httpStatus}`);
    },
  );

  it('never lets a refused proxy call reach the model, probe or prediction', async () => {
    const probed = await health('forbidden');
    expect(probed.body.endpoints[0].httpStatus).toBe(403);
    const refused = await predict('forbidden');
    expect(refused.body.error.message).toMatch(
      /services "model-locked:http" is forbidden: .* cannot create resource "services\/proxy"/,
    );
    expect(locked.received).toHaveLength(0);
  });

  it('still applies the outbound guard to what the model answers', async () => {
    const res = await health('redirects');
    expect(res.body.endpoints[0]).toMatchObject({
      state: 'unknown',
      errorClass: 'blocked',
    });
    expect(res.body.endpoints[0].errorMessage).toMatch(
      /refused by the outbound guard: 127\.0\.0\.1 .*private/,
    );
    const refused = await predict('redirects');
    expect(refused.status).toBe(502);
    expect(trap.received).toHaveLength(0);
    expect(redirecting.received.length).toBeGreaterThan(0);
  });
});

describe('a discovered Kubernetes backend at a refused address', () => {
  it('is refused by the outbound guard like any other URL', async () => {
    const harness = await startMlopsTestBackend({
      entities: [
        modelEntity('explicit', {
          'mlops/kubernetes-service': `demo/${NAMESPACE}/model-a`,
        }),
      ],
      kubernetesBaseUrl: 'http://169.254.169.254/api/kubernetes',
    });
    try {
      const res = await request(harness.backend.server)
        .get('/api/mlops/v1/entities/component/default/explicit/health')
        .set('authorization', mockCredentials.user.header());
      expect(res.body.endpoints[0]).toMatchObject({
        state: 'unknown',
        errorClass: 'blocked',
      });
      expect(res.body.endpoints[0].errorMessage).toMatch(/metadata/);
    } finally {
      await harness.close();
    }
  });
});
