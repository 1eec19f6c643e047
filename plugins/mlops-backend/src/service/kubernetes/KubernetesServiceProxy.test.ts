import { mockServices } from '@backstage/backend-test-utils';
import { OutboundClient, OutboundError } from '../outbound';
import { KubernetesServiceProxy } from './KubernetesServiceProxy';

/** A Kubernetes plugin whose cluster list is whatever the test sets now. */
function pluginListing(initial: string[], authProvider = 'serviceAccount') {
  const state = { clusters: initial, reads: 0 };
  const client = {
    request: async () => {
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
