import { parseClusterDiscoveryRequest } from './discoveryRequests';

describe('parseClusterDiscoveryRequest', () => {
  it('reads the entity and environment of a request and refuses anything else', () => {
    expect(
      parseClusterDiscoveryRequest({
        entityRef: 'component:default/churn',
        environment: 'dev',
      }),
    ).toEqual({ entityRef: 'component:default/churn', environment: 'dev' });
    for (const payload of [
      undefined,
      'component:default/churn',
      { entityRef: 'component:default/churn' },
      { entityRef: '', environment: 'dev' },
      { entityRef: 'component:default/churn', environment: 7 },
    ]) {
      expect(parseClusterDiscoveryRequest(payload)).toBeUndefined();
    }
  });
});
