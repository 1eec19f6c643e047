import { mockServices } from '@backstage/backend-test-utils';
import { CLUSTER_DISCOVERY_REQUESTED_TOPIC } from '../../catalog/discoveryRequests';
import { eventsWithDiscoverySubscriber } from '../../__testUtils__/clusterDiscovery';
import { ClusterDiscoveryRequests } from './ClusterDiscoveryRequests';

const flush = () => new Promise(resolve => setImmediate(resolve));

describe('ClusterDiscoveryRequests', () => {
  it('publishes a request once per interval per environment', async () => {
    const { events, received } = await eventsWithDiscoverySubscriber();
    let now = 1_000_000;
    const requests = new ClusterDiscoveryRequests({
      events,
      logger: mockServices.logger.mock(),
      intervalMs: 120_000,
      now: () => now,
    });
    const dev = { entityRef: 'component:default/churn', environment: 'dev' };
    const prod = { entityRef: 'component:default/churn', environment: 'prod' };

    requests.request(dev);
    requests.request(dev);
    requests.request(prod);
    now += 119_999;
    requests.request(dev);
    await flush();
    expect(received.map(e => e.eventPayload)).toEqual([dev, prod]);
    expect(received[0].topic).toBe(CLUSTER_DISCOVERY_REQUESTED_TOPIC);

    now += 1;
    requests.request(dev);
    await flush();
    expect(received.map(e => e.eventPayload)).toEqual([dev, prod, dev]);
  });

  it('logs a request it cannot publish, without throwing at the probe', async () => {
    const logger = mockServices.logger.mock();
    const requests = new ClusterDiscoveryRequests({
      events: {
        publish: () => Promise.reject(new Error('Service is shutting down')),
        subscribe: async () => {},
      },
      logger,
      intervalMs: 120_000,
    });

    expect(() =>
      requests.request({
        entityRef: 'component:default/churn',
        environment: 'dev',
      }),
    ).not.toThrow();
    await flush();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /could not ask the cluster discovery to read component:default\/churn dev's state now .*: Service is shutting down$/,
      ),
    );
  });
});
