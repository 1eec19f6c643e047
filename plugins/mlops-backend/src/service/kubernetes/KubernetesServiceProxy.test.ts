import { mockServices } from '@backstage/backend-test-utils';
import {
  FixtureServer,
  sendJson,
  startFixture,
  v2Handler,
} from '../__testUtils__/httpFixtures';
import { probeEndpoint } from '../health/probeEndpoint';
import {
  createOutboundClient,
  OutboundClient,
  OutboundError,
  OutboundRequest,
} from '../outbound';
import { createEndpointRouter } from '../routing/EndpointRouter';
import { KubernetesServiceProxy } from './KubernetesServiceProxy';

/**
 * A Kubernetes plugin whose cluster list is whatever the test sets now; its
 * proxy answers every call (`proxied` records them) with `proxyAnswer`.
 */
function pluginListing(
  initial: string[],
  authProvider = 'serviceAccount',
  proxyAnswer: () => Promise<unknown> = async () => ({
    status: 200,
    body: Buffer.from('{}'),
  }),
) {
  const state = {
    clusters: initial,
    reads: 0,
    proxied: [] as OutboundRequest[],
  };
  const client = {
    request: async (call: OutboundRequest) => {
      if (call.url.includes('/proxy/')) {
        state.proxied.push(call);
        return proxyAnswer();
      }
      state.reads += 1;
      // The shape the Kubernetes plugin's /clusters route answers with.
      const items = state.clusters.map(name => ({
        name,
        title: name,
        authProvider,
      }));
      return { status: 200, body: Buffer.from(JSON.stringify({ items })) };
    },
  } as unknown as OutboundClient;
  return { state, client };
}

/** A backend whose /api/kubernetes/clusters answers `status` (404: plugin not installed). */
function pluginAnswering(status: number) {
  return {
    request: async () => ({ status, body: Buffer.from('{}') }),
  } as unknown as OutboundClient;
}

function proxyWith(client: OutboundClient, clusterMissRefreshMs: number) {
  return new KubernetesServiceProxy({
    discovery: mockServices.discovery.mock({
      getBaseUrl: async () => 'http://backstage.test/api/kubernetes',
    }),
    auth: mockServices.auth(),
    client,
    clusterCacheMs: 60_000,
    clusterMissRefreshMs,
  });
}

const target = (cluster: string) => ({
  cluster,
  namespace: 'ml-services',
  service: 'model-a',
  port: 'http',
});

describe('KubernetesServiceProxy cluster list', () => {
  afterEach(() => jest.useRealTimers());

  it('uses a cluster discovered after the list was cached once the list is older than the miss refresh', async () => {
    jest.useFakeTimers({
      now: 1_000_000,
      doNotFake: ['nextTick', 'setImmediate'],
    });
    const { state, client } = pluginListing(['demo']);
    const proxy = proxyWith(client, 5_000);
    await proxy.route(target('demo'));

    state.clusters = ['demo', 'fresh-dev'];
    await expect(proxy.route(target('fresh-dev'))).rejects.toThrow(
      OutboundError,
    );
    expect(state.reads).toBe(1);

    jest.setSystemTime(1_000_000 + 5_000);
    const route = await proxy.route(target('fresh-dev'));
    expect(route.headers).toEqual({
      'backstage-kubernetes-cluster': 'fresh-dev',
    });
    expect(state.reads).toBe(2);
  });

  it('reuses the list for known clusters and refuses an unknown one after one re-read', async () => {
    jest.useFakeTimers({
      now: 2_000_000,
      doNotFake: ['nextTick', 'setImmediate'],
    });
    const { state, client } = pluginListing(['demo']);
    const proxy = proxyWith(client, 5_000);
    await proxy.route(target('demo'));
    jest.setSystemTime(2_000_000 + 30_000);
    await proxy.route(target('demo'));
    expect(state.reads).toBe(1);

    await expect(proxy.route(target('nowhere'))).rejects.toThrow(
      'cluster "nowhere" is not configured in the Kubernetes plugin (configured: demo)',
    );
    expect(state.reads).toBe(2);
  });
});

describe('KubernetesServiceProxy cluster checks', () => {
  it.each(['oidc', 'google', 'aks'])(
    'refuses a cluster whose auth provider %s needs the user token',
    async authProvider => {
      const { client } = pluginListing(['demo'], authProvider);
      const failure = proxyWith(client, 5_000).route(target('demo'));
      await expect(failure).rejects.toMatchObject({
        errorClass: 'invalid-target',
      });
      await expect(failure).rejects.toThrow(
        `cluster "demo" uses the Kubernetes auth provider "${authProvider}"`,
      );
      await expect(failure).rejects.toThrow(
        /aws, azure, googleServiceAccount, serviceAccount or localKubectlProxy/,
      );
    },
  );

  it.each(['aws', 'serviceAccount', 'googleServiceAccount', 'azure'])(
    'routes through a cluster with the server-side auth provider %s',
    async authProvider => {
      const { client } = pluginListing(['demo'], authProvider);
      const route = await proxyWith(client, 5_000).route(target('demo'));
      expect(route.headers).toEqual({
        'backstage-kubernetes-cluster': 'demo',
      });
    },
  );

  it('tells the adopter to install the Kubernetes backend when its cluster list is missing', async () => {
    const failure = proxyWith(pluginAnswering(404), 5_000).route(
      target('demo'),
    );
    await expect(failure).rejects.toThrow(
      /cluster list returned HTTP 404; .*add @backstage\/plugin-kubernetes-backend/,
    );
  });

  it('tells the adopter the Kubernetes plugin did not answer', async () => {
    const client = {
      request: async () => {
        throw new OutboundError('refused', 'connect ECONNREFUSED');
      },
    } as unknown as OutboundClient;
    const failure = proxyWith(client, 5_000).route(target('demo'));
    await expect(failure).rejects.toMatchObject({ errorClass: 'refused' });
    await expect(failure).rejects.toThrow(
      /did not answer \(connect ECONNREFUSED\); .*plugin-kubernetes-backend/,
    );
  });
});

describe('KubernetesServiceProxy warm-up', () => {
  it("calls each cluster's proxy once, with its own time budget, before the first route to it", async () => {
    const { state, client } = pluginListing(['demo', 'prod']);
    const proxy = proxyWith(client, 5_000);
    await Promise.all([
      proxy.route(target('demo')),
      proxy.route({ ...target('demo'), service: 'model-b' }),
    ]);
    await proxy.route(target('demo'));
    expect(state.proxied).toEqual([
      {
        url: 'http://backstage.test/api/kubernetes/proxy/version',
        headers: { 'backstage-kubernetes-cluster': 'demo' },
        trustedOrigin: 'http://backstage.test',
        bearerToken: expect.any(String),
        timeoutMs: 15_000,
      },
    ]);

    await proxy.route(target('prod'));
    expect(state.proxied.map(call => call.headers)).toEqual([
      { 'backstage-kubernetes-cluster': 'demo' },
      { 'backstage-kubernetes-cluster': 'prod' },
    ]);
  });

  it('routes once the warm-up has ended, whatever it answered, and does not repeat a failed one', async () => {
    let failWarmUp!: (error: Error) => void;
    const warmUp = new Promise((_resolve, reject) => (failWarmUp = reject));
    const { state, client } = pluginListing(['demo'], 'aws', () => warmUp);
    const proxy = proxyWith(client, 5_000);
    let routed = false;
    const route = proxy.route(target('demo')).then(r => {
      routed = true;
      return r;
    });
    await new Promise(resolve => setImmediate(resolve));
    expect(state.proxied).toHaveLength(1);
    expect(routed).toBe(false);

    failWarmUp(new OutboundError('timeout', 'request timed out'));
    await expect(route).resolves.toMatchObject({
      url: 'http://backstage.test/api/kubernetes/proxy/api/v1/namespaces/ml-services/services/model-a:http/proxy',
    });
    await proxy.route(target('demo'));
    expect(state.proxied).toHaveLength(1);
  });
});

describe('a first proxied call slower than the probe timeout, over real HTTP', () => {
  const PROXY = '/api/kubernetes/proxy';
  const SERVICE_PROXY = `${PROXY}/api/v1/namespaces/ml-services/services/model-a:http/proxy`;
  const FIRST_CALL_MS = 1_500;
  const PROBE_TIMEOUT_MS = 1_000;
  let plugin: FixtureServer;

  // A Kubernetes plugin whose first proxied call takes longer than a probe
  // may (as its lazy client import does after a start), then answers at once.
  beforeAll(async () => {
    const model = v2Handler({ modelName: 'm' });
    let proxiedCalls = 0;
    plugin = await startFixture((req, res, body) => {
      const url = req.url ?? '';
      if (url === '/api/kubernetes/clusters') {
        sendJson(res, 200, {
          items: [{ name: 'demo', authProvider: 'serviceAccount' }],
        });
        return;
      }
      const answer = () => {
        if (url === `${PROXY}/version`) {
          sendJson(res, 200, { gitVersion: 'v1.33.0' });
        } else if (url.startsWith(SERVICE_PROXY)) {
          req.url = url.slice(SERVICE_PROXY.length);
          model(req, res, body);
        } else {
          sendJson(res, 404, {});
        }
      };
      proxiedCalls += 1;
      if (proxiedCalls === 1) setTimeout(answer, FIRST_CALL_MS);
      else answer();
    });
  });
  afterAll(() => plugin.close());

  it('reports the model healthy: the warm-up call, not the probe, waits for the slow first call', async () => {
    const client = createOutboundClient({ timeoutMs: PROBE_TIMEOUT_MS });
    const router = createEndpointRouter({
      kubernetes: new KubernetesServiceProxy({
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => `${plugin.url}/api/kubernetes`,
        }),
        auth: mockServices.auth(),
        client,
      }),
    });
    try {
      const health = await probeEndpoint(
        {
          environment: 'prod',
          url: 'k8s:demo/ml-services/model-a:http',
          protocol: 'v2',
          modelName: 'm',
          kubernetes: target('demo'),
        },
        client,
        { router },
      );
      expect(health).toMatchObject({ state: 'healthy', live: true });
      const proxied = plugin.received
        .map(r => r.path)
        .filter(path => path.startsWith(PROXY));
      expect(proxied[0]).toBe(`${PROXY}/version`);
      expect(proxied.slice(1)).toContain(`${SERVICE_PROXY}/v2/health/ready`);
    } finally {
      await client.close();
    }
  });
});
