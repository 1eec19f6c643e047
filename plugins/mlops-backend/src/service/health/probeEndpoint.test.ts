import { InferenceEndpoint } from '@eks-mlops/backstage-plugin-mlops-common';
import {
  fixtureServers,
  hugeHandler,
  redirectHandler,
  resetHandler,
  sendJson,
  slowHandler,
  startFixture,
  v1Handler,
  v2Handler,
} from '../__testUtils__/httpFixtures';
import {
  createOutboundClient,
  OutboundError,
  OutboundGuardOptions,
} from '../outbound';
import { EndpointRouter } from '../routing/EndpointRouter';
import { probeEndpoint } from './probeEndpoint';

const MODEL = 'iris-classifier';

const { start: fixture, closeAll } = fixtureServers();
afterEach(closeAll);

function endpoint(
  url: string,
  protocol: 'v1' | 'v2' = 'v2',
): InferenceEndpoint {
  return { environment: 'default', url, protocol, modelName: MODEL };
}

const client = (options: OutboundGuardOptions = {}) =>
  createOutboundClient({
    allowPrivateNetworks: true,
    timeoutMs: 1000,
    ...options,
  });

describe('probeEndpoint, OIP V2', () => {
  it('reports a healthy endpoint with its model metadata', async () => {
    const server = await fixture(v2Handler({ modelName: MODEL }));
    const before = Date.now();
    const health = await probeEndpoint(endpoint(`${server.url}/`), client());
    expect(health).toMatchObject({
      environment: 'default',
      url: `${server.url}/`,
      state: 'healthy',
      live: true,
      ready: true,
      modelReady: true,
      httpStatus: 200,
      model: {
        name: MODEL,
        versions: ['1'],
        platform: 'sklearn',
        inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [{ name: 'output-0', datatype: 'INT64', shape: [-1] }],
      },
    });
    expect(health.errorClass).toBeUndefined();
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(health.checkedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(server.received.map(r => r.path).sort()).toEqual([
      '/v2/health/live',
      '/v2/health/ready',
      `/v2/models/${MODEL}`,
      `/v2/models/${MODEL}/ready`,
    ]);
  });

  it('asks every question at once, so a failing endpoint costs one round trip too', async () => {
    let answered = false;
    const inner = v2Handler({ modelName: MODEL, readyStatus: 503 });
    const asked: Array<{ path: string; beforeAnyAnswer: boolean }> = [];
    const server = await fixture((req, res, body) => {
      asked.push({ path: req.url ?? '', beforeAnyAnswer: !answered });
      setTimeout(() => {
        answered = true;
        inner(req, res, body);
      }, 200);
    });
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health.state).toBe('degraded');
    expect(asked.map(a => a.path)).toContain('/v2/health/live');
    expect(asked.every(a => a.beforeAnyAnswer)).toBe(true);
  });

  it('is degraded, not down, when ready answers 2xx and live fails', async () => {
    const server = await fixture(
      v2Handler({ modelName: MODEL, liveStatus: 500 }),
    );
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health).toMatchObject({
      state: 'degraded',
      live: false,
      ready: true,
      errorMessage: 'live returned HTTP 500',
    });
  });

  it('reports the known model without fetching metadata again', async () => {
    const server = await fixture(v2Handler({ modelName: MODEL }));
    const knownModel = { name: MODEL, versions: ['7'] };
    const health = await probeEndpoint(endpoint(server.url), client(), {
      knownModel,
    });
    expect(health).toMatchObject({ state: 'healthy', model: knownModel });
    expect(server.received.map(r => r.path)).not.toContain(
      `/v2/models/${MODEL}`,
    );
  });

  it('is degraded when ready answers 503', async () => {
    const server = await fixture(
      v2Handler({ modelName: MODEL, readyStatus: 503 }),
    );
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health).toMatchObject({
      state: 'degraded',
      live: true,
      ready: false,
      httpStatus: 503,
      errorClass: 'bad-status',
    });
  });

  it('is degraded when the model is not ready', async () => {
    const server = await fixture(
      v2Handler({ modelName: MODEL, modelReadyStatus: 400 }),
    );
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health).toMatchObject({
      state: 'degraded',
      ready: true,
      modelReady: false,
      httpStatus: 400,
    });
  });

  it('is degraded with malformed-body when metadata is not JSON', async () => {
    const server = await fixture(
      v2Handler({ modelName: MODEL, metadataBody: '{"name": "iris",' }),
    );
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health).toMatchObject({
      state: 'degraded',
      live: true,
      ready: true,
      modelReady: true,
      errorClass: 'malformed-body',
    });
    expect(health.model).toBeUndefined();
  });

  it('is degraded with malformed-body when metadata has the wrong shape', async () => {
    const server = await fixture(
      v2Handler({
        modelName: MODEL,
        metadataBody: JSON.stringify({ name: MODEL, inputs: 'four floats' }),
      }),
    );
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health.state).toBe('degraded');
    expect(health.errorClass).toBe('malformed-body');
  });

  it('is degraded with too-large when metadata exceeds the cap', async () => {
    const healthy = v2Handler({ modelName: MODEL });
    const huge = hugeHandler(4 * 1024 * 1024, false);
    const server = await fixture((req, res, body) =>
      req.url === `/v2/models/${MODEL}`
        ? huge(req, res, body)
        : healthy(req, res, body),
    );
    const health = await probeEndpoint(
      endpoint(server.url),
      client({ maxResponseBytes: 64 * 1024 }),
    );
    expect(health).toMatchObject({
      state: 'degraded',
      errorClass: 'too-large',
    });
  });

  it('is down when ready fails and live answers 5xx', async () => {
    const server = await fixture(
      v2Handler({ modelName: MODEL, readyStatus: 503, liveStatus: 500 }),
    );
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health).toMatchObject({
      state: 'down',
      live: false,
      httpStatus: 500,
      errorClass: 'bad-status',
    });
  });

  it('is down with timeout on a slow server', async () => {
    const server = await fixture(slowHandler(5000));
    const health = await probeEndpoint(
      endpoint(server.url),
      client({ timeoutMs: 200 }),
    );
    expect(health).toMatchObject({ state: 'down', errorClass: 'timeout' });
    expect(health.latencyMs).toBeLessThan(2000);
  });

  it('is down with reset when the connection drops', async () => {
    const server = await fixture(resetHandler);
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health).toMatchObject({ state: 'down', errorClass: 'reset' });
  });

  it('is down with refused when nothing listens', async () => {
    const server = await startFixture(() => {});
    await server.close();
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health).toMatchObject({ state: 'down', errorClass: 'refused' });
  });

  it('is unknown when redirected to the metadata address', async () => {
    const server = await fixture(
      redirectHandler('http://169.254.169.254/latest/meta-data/'),
    );
    const health = await probeEndpoint(endpoint(server.url), client());
    expect(health.state).toBe('unknown');
    expect(health.errorClass).toBe('blocked');
    expect(health.errorMessage).toMatch(/outbound guard.*metadata/);
    // No setting lifts this refusal, so none is suggested.
    expect(health.errorMessage).not.toMatch(/to allow it/);
  });

  it('is unknown when redirected to a host outside the allowlist', async () => {
    const server = await fixture(redirectHandler('http://models.evil.test/'));
    const health = await probeEndpoint(
      endpoint(server.url),
      client({ allowedHosts: ['127.0.0.1'] }),
    );
    expect(health.state).toBe('unknown');
    expect(health.errorMessage).toMatch(/allowlist/);
    expect(health.errorMessage).toMatch(
      /to allow it, add models\.evil\.test to mlops\.outbound\.allowedHosts$/,
    );
  });

  it('is unknown, without contacting the endpoint, when the guard is strict', async () => {
    const server = await fixture(v2Handler({ modelName: MODEL }));
    const health = await probeEndpoint(
      endpoint(server.url),
      createOutboundClient({ allowPrivateNetworks: false }),
    );
    expect(health).toMatchObject({ state: 'unknown', errorClass: 'blocked' });
    expect(health.errorMessage).toMatch(/private, loopback/);
    expect(health.errorMessage).toMatch(
      /to allow it, set mlops\.outbound\.allowPrivateNetworks: true$/,
    );
    expect(server.received).toHaveLength(0);
  });

  it.each([
    [
      'the Kubernetes plugin answers with an error',
      new OutboundError(
        'bad-status',
        "the Kubernetes plugin's cluster list returned HTTP 404; add @backstage/plugin-kubernetes-backend",
      ),
      'bad-status',
    ],
    ['routing throws', new Error('discovery failed'), 'reset'],
  ])('is unknown, not down, when %s', async (_case, error, errorClass) => {
    const server = await fixture(v2Handler({ modelName: MODEL }));
    const router: EndpointRouter = {
      route: async () => {
        throw error;
      },
    };
    const health = await probeEndpoint(endpoint(server.url), client(), {
      router,
    });
    expect(health).toMatchObject({
      state: 'unknown',
      errorClass,
      errorMessage: `not probed: ${error.message}`,
    });
    expect(health.live).toBeUndefined();
    expect(server.received).toHaveLength(0);
  });

  it('encodes the model name and keeps a base path', async () => {
    const server = await fixture((req, res) =>
      sendJson(
        res,
        200,
        req.url?.endsWith('/v2/models/a%2Fb') ? { name: 'a/b' } : {},
      ),
    );
    const health = await probeEndpoint(
      { ...endpoint(`${server.url}/serving/`), modelName: 'a/b' },
      client(),
    );
    expect(health.state).toBe('healthy');
    expect(server.received.map(r => r.path)).toContain(
      '/serving/v2/models/a%2Fb/ready',
    );
  });
});

describe('probeEndpoint, KServe V1', () => {
  it('reports a healthy V1 model', async () => {
    const server = await fixture(v1Handler(MODEL));
    const health = await probeEndpoint(endpoint(server.url, 'v1'), client());
    expect(health).toMatchObject({
      state: 'healthy',
      live: true,
      ready: true,
      modelReady: true,
      httpStatus: 200,
      model: { name: MODEL },
    });
    expect(server.received.map(r => r.path)).toEqual([`/v1/models/${MODEL}`]);
  });

  it('is degraded when the V1 model is not ready', async () => {
    const server = await fixture(v1Handler(MODEL, false));
    const health = await probeEndpoint(endpoint(server.url, 'v1'), client());
    expect(health).toMatchObject({ state: 'degraded', ready: false });
  });

  it('is degraded on 503 and down on other 5xx', async () => {
    const loading = await fixture((_req, res) =>
      sendJson(res, 503, { error: 'loading' }),
    );
    const broken = await fixture((_req, res) => sendJson(res, 502, 'bad'));
    expect(
      (await probeEndpoint(endpoint(loading.url, 'v1'), client())).state,
    ).toBe('degraded');
    expect(
      (await probeEndpoint(endpoint(broken.url, 'v1'), client())).state,
    ).toBe('down');
  });

  it('is degraded with malformed-body on invalid V1 JSON', async () => {
    const server = await fixture((_req, res) =>
      sendJson(res, 200, '{"name": "iris", "ready": "yes"}'),
    );
    const health = await probeEndpoint(endpoint(server.url, 'v1'), client());
    expect(health).toMatchObject({
      state: 'degraded',
      errorClass: 'malformed-body',
    });
  });
});
