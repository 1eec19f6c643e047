import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  EntityHealthResponse,
  FleetResponse,
  MLOPS_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';
import request from 'supertest';
import {
  FixtureServer,
  hugeHandler,
  sendJson,
  slowHandler,
  startFixture,
  v1Handler,
  v2Handler,
} from './__testUtils__/httpFixtures';
import {
  MlopsTestBackend,
  startMlopsTestBackend,
} from './__testUtils__/mlopsTestBackend';

jest.setTimeout(60_000);

function mlService(
  name: string,
  annotations: Record<string, string>,
  owner = 'group:default/ml-team',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      title: `${name} model`,
      annotations,
    },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const V2_INFER_BODY = {
  inputs: [
    { name: 'input-0', datatype: 'FP64', shape: [2, 2], data: [1, 2, 3, 4] },
  ],
};

describe('mlops router', () => {
  let iris: FixtureServer;
  let wine: FixtureServer;
  let broken: FixtureServer;
  let slow: FixtureServer;
  let huge: FixtureServer;
  let harness: MlopsTestBackend;
  const auth = (user = ALICE) => mockCredentials.user.header(user);

  beforeAll(async () => {
    iris = await startFixture(v2Handler({ modelName: 'iris' }));
    wine = await startFixture(v1Handler('wine'));
    broken = await startFixture((_req, res) => sendJson(res, 503, {}));
    slow = await startFixture(slowHandler(5_000));
    huge = await startFixture(hugeHandler(1536 * 1024, false));
    harness = await startMlopsTestBackend({
      entities: [
        mlService('iris', {
          [MLOPS_ANNOTATIONS.inferenceUrl]: iris.url,
          [`${MLOPS_ANNOTATIONS.inferenceUrl}-staging`]: broken.url,
        }),
        mlService('wine', {
          [MLOPS_ANNOTATIONS.inferenceUrl]: wine.url,
          [MLOPS_ANNOTATIONS.inferenceProtocol]: 'v1',
        }),
        mlService('sleepy', { [MLOPS_ANNOTATIONS.inferenceUrl]: slow.url }),
        mlService('chatty', { [MLOPS_ANNOTATIONS.inferenceUrl]: huge.url }),
        mlService('metadata-trap', {
          [MLOPS_ANNOTATIONS.inferenceUrl]: 'http://169.254.169.254',
        }),
        mlService('plain-website', {}),
      ],
      // Alice may call every model, Bob only wine.
      canPredict: (credentials, entityRef) => {
        const user = (credentials.principal as { userEntityRef?: string })
          .userEntityRef;
        return (
          user === ALICE ||
          (user === BOB && entityRef === 'component:default/wine')
        );
      },
      config: {
        prober: { interval: '1h', jitter: '0s', timeout: '1s' },
        predict: {
          timeout: '500ms',
          maxRequestBytes: 2048,
          maxResponseBytes: 16 * 1024,
        },
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    for (const server of [iris, wine, broken, slow, huge]) {
      await server?.close();
    }
  });

  const server = () => harness.backend.server;
  const ROUTES = [
    ['get', '/api/mlops/v1/fleet'],
    ['get', '/api/mlops/v1/entities/component/default/iris/health'],
    ['post', '/api/mlops/v1/entities/component/default/iris/predict'],
  ] as const;

  describe('authentication', () => {
    it.each(ROUTES)(
      '%s %s answers 401 without credentials or with a bad token',
      async (method, path) => {
        const before = iris.received.length;
        for (const header of [
          mockCredentials.none.header(),
          mockCredentials.user.invalidHeader(),
        ]) {
          const res = await request(server())
            [method](path)
            .set('authorization', header)
            .send({ body: V2_INFER_BODY });
          expect(res.status).toBe(401);
        }
        expect(iris.received.length).toBe(before);
      },
    );

    it('serves /health without credentials', async () => {
      const res = await request(server())
        .get('/api/mlops/health')
        .set('authorization', mockCredentials.none.header());
      expect(res.status).toBe(200);
    });
  });

  describe('GET /v1/fleet', () => {
    it('lists every entity with an inference URL, with the health the probe cycle found', async () => {
      await harness.runProbeCycle();
      const res = await request(server())
        .get('/api/mlops/v1/fleet')
        .set('authorization', auth(BOB));
      expect(res.status).toBe(200);
      const fleet = res.body as FleetResponse;
      expect(fleet.items.map(i => i.entityRef)).toEqual([
        'component:default/chatty',
        'component:default/iris',
        'component:default/metadata-trap',
        'component:default/sleepy',
        'component:default/wine',
      ]);
      const byRef = Object.fromEntries(fleet.items.map(i => [i.entityRef, i]));
      const irisEntry = byRef['component:default/iris'];
      expect(irisEntry.owner).toBe('group:default/ml-team');
      expect(irisEntry.title).toBe('iris model');
      expect(
        irisEntry.endpoints.map(e => [e.environment, e.state, e.uptime24h]),
      ).toEqual([
        ['default', 'healthy', 1],
        ['staging', 'down', 0],
      ]);
      // The fleet names the model; its tensors are on the entity route.
      expect(irisEntry.endpoints[0].model).toEqual({
        name: 'iris',
        versions: ['1'],
        platform: 'sklearn',
      });
      expect(byRef['component:default/wine'].endpoints[0].state).toBe(
        'healthy',
      );
      expect(byRef['component:default/sleepy'].endpoints[0]).toMatchObject({
        state: 'down',
        errorClass: 'timeout',
      });
      expect(byRef['component:default/chatty'].endpoints[0]).toMatchObject({
        errorClass: 'too-large',
      });
      expect(
        byRef['component:default/metadata-trap'].endpoints[0],
      ).toMatchObject({ state: 'unknown', errorClass: 'blocked' });
    });
  });

  describe('GET /v1/entities/:kind/:namespace/:name/health', () => {
    it('returns summary and history per endpoint', async () => {
      const res = await request(server())
        .get('/api/mlops/v1/entities/component/default/wine/health')
        .set('authorization', auth());
      expect(res.status).toBe(200);
      const body = res.body as EntityHealthResponse;
      expect(body.entityRef).toBe('component:default/wine');
      expect(body.endpoints).toHaveLength(1);
      expect(body.endpoints[0]).toMatchObject({
        environment: 'default',
        url: wine.url,
        state: 'healthy',
        model: { name: 'wine' },
      });
      expect(body.endpoints[0].history.length).toBeGreaterThanOrEqual(1);
      expect(body.endpoints[0].history[0]).toMatchObject({
        state: 'healthy',
        uptime: 1,
      });
    });

    it('answers 404 for an entity that is not in the catalog', async () => {
      const res = await request(server())
        .get('/api/mlops/v1/entities/component/default/nope/health')
        .set('authorization', auth());
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('component:default/nope');
    });

    it('returns no endpoints for an entity without inference annotations', async () => {
      const res = await request(server())
        .get('/api/mlops/v1/entities/component/default/plain-website/health')
        .set('authorization', auth());
      expect(res.status).toBe(200);
      expect(res.body.endpoints).toEqual([]);
    });
  });

  describe('POST /v1/entities/:kind/:namespace/:name/predict', () => {
    const predict = (name: string, body: unknown, user = ALICE) =>
      request(server())
        .post(`/api/mlops/v1/entities/component/default/${name}/predict`)
        .set('authorization', auth(user))
        .send(body as object);

    it('forwards a V2 infer body without Backstage credentials and returns the answer and latency', async () => {
      const res = await predict('iris', { body: V2_INFER_BODY });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(200);
      expect(res.body.latencyMs).toBeGreaterThanOrEqual(0);
      expect(res.body.body.outputs[0].data).toEqual([3, 7]);
      const forwarded = iris.received.filter(r => r.method === 'POST').at(-1)!;
      expect(forwarded.path).toBe('/v2/models/iris/infer');
      expect(JSON.parse(forwarded.body)).toEqual(V2_INFER_BODY);
      expect(forwarded.headers.authorization).toBeUndefined();
      expect(forwarded.headers.cookie).toBeUndefined();
    });

    it('forwards a V1 predict body to a v1 endpoint', async () => {
      const res = await predict(
        'wine',
        {
          body: {
            instances: [
              [1, 1],
              [2, 3],
            ],
          },
        },
        BOB,
      );
      expect(res.status).toBe(200);
      expect(res.body.body).toEqual({ predictions: [2, 5] });
      expect(wine.received.at(-1)!.path).toBe('/v1/models/wine:predict');
    });

    it('audits every call, allowed or not', async () => {
      harness.auditEvents.length = 0;
      await predict('iris', { body: V2_INFER_BODY });
      await predict('iris', { body: V2_INFER_BODY }, BOB);
      expect(harness.auditEvents).toEqual([
        expect.objectContaining({
          eventId: 'entity-predict',
          meta: { entityRef: 'component:default/iris', environment: null },
          outcome: 'success',
          outcomeMeta: expect.objectContaining({
            environment: 'default',
            status: 200,
          }),
        }),
        expect.objectContaining({
          eventId: 'entity-predict',
          outcome: 'fail',
          error: expect.stringContaining('mlops.entity.predict'),
        }),
      ]);
    });

    it('answers 403 without the permission and never calls the model', async () => {
      const before = iris.received.length;
      const res = await predict('iris', { body: V2_INFER_BODY }, BOB);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('mlops.entity.predict');
      expect(iris.received.length).toBe(before);
    });

    it('targets the requested environment and names the declared ones when it is unknown', async () => {
      const staging = await predict('iris', {
        environment: 'staging',
        body: V2_INFER_BODY,
      });
      expect(staging.status).toBe(200);
      expect(staging.body.status).toBe(503);
      const unknown = await predict('iris', {
        environment: 'prod',
        body: V2_INFER_BODY,
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain(
        'environment "prod" is not declared by component:default/iris; use one of: default, staging',
      );
    });

    it('rejects a body over the request limit with 413 before calling the model', async () => {
      const before = iris.received.length;
      const big = {
        inputs: [
          {
            name: 'input-0',
            datatype: 'FP64',
            shape: [1, 1000],
            data: Array(1000).fill(1.5),
          },
        ],
      };
      const res = await predict('iris', { body: big });
      expect(res.status).toBe(413);
      expect(res.body.error.message).toContain('mlops.predict.maxRequestBytes');
      expect(iris.received.length).toBe(before);
    });

    it('answers 400 when the body is missing (OpenAPI validation)', async () => {
      const res = await predict('iris', { environment: 'default' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/body/);
    });

    it('answers 504 when the model is slower than the predict timeout', async () => {
      const started = Date.now();
      const res = await predict('sleepy', { body: V2_INFER_BODY });
      expect(res.status).toBe(504);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('answers 502 when the answer exceeds the response limit', async () => {
      const res = await predict('chatty', { body: V2_INFER_BODY });
      expect(res.status).toBe(502);
      expect(res.body.error.message).toContain('exceeds');
    });

    it('answers 502 and never connects when the endpoint is the cloud metadata address', async () => {
      const res = await predict('metadata-trap', { body: V2_INFER_BODY });
      expect(res.status).toBe(502);
      expect(res.body.error.message).toContain('outbound guard');
    });

    it('answers 404 for an unknown entity', async () => {
      const res = await predict('nope', { body: V2_INFER_BODY });
      expect(res.status).toBe(404);
    });
  });
});
