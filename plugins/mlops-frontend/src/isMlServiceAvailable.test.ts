import { Entity } from '@backstage/catalog-model';
import { isMlServiceAvailable } from './isMlServiceAvailable';

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'churn-model', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

describe('isMlServiceAvailable', () => {
  it('is true for the primary endpoint URL', () => {
    expect(
      isMlServiceAvailable(
        component({ 'mlops/inference-url': 'https://churn.example.com' }),
      ),
    ).toBe(true);
  });

  it('is true for the annotations the template writes without a host', () => {
    expect(
      isMlServiceAvailable(
        component({
          'mlops/model-name': 'churn-model',
          'mlops/kubernetes-service':
            'ml-prod/ml-services-prod/churn-model:http',
          'mlops/inference-environment': 'prod',
          'mlops/kubernetes-service-dev':
            'ml-dev/ml-services-dev/churn-model:http',
          'mlops/inference-protocol': 'v2',
          'backstage.io/kubernetes-id': 'churn-model',
          'backstage.io/kubernetes-namespace': 'ml-services-prod',
        }),
      ),
    ).toBe(true);
  });

  it('is true for a marked entity with Kubernetes annotations', () => {
    expect(
      isMlServiceAvailable(
        component({
          'mlops/model-name': 'churn-model',
          'backstage.io/kubernetes-id': 'churn-model',
          'backstage.io/kubernetes-namespace': 'ml-services',
        }),
      ),
    ).toBe(true);
  });

  it('is false for environment endpoints alone, which the backend does not list', () => {
    expect(
      isMlServiceAvailable(
        component({
          'mlops/inference-url-staging': 'https://s.example.com',
          'mlops/kubernetes-service-prod': 'ml-services/churn-model',
        }),
      ),
    ).toBe(false);
  });

  it('is true for environment endpoints of an entity the backend lists', () => {
    expect(
      isMlServiceAvailable(
        component({
          'mlops/model-name': 'churn-model',
          'backstage.io/kubernetes-id': 'churn-model',
          'mlops/inference-url-staging': 'https://s.example.com',
        }),
      ),
    ).toBe(true);
  });

  it('is false without endpoint annotations, even with other mlops ones', () => {
    expect(
      isMlServiceAvailable(
        component({ 'mlops/model-name': 'churn', 'mlops/inference-url': ' ' }),
      ),
    ).toBe(false);
  });
});
