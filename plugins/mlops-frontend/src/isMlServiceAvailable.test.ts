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
  it('is true for the primary endpoint annotation', () => {
    expect(
      isMlServiceAvailable(
        component({ 'mlops/inference-url': 'https://churn.example.com' }),
      ),
    ).toBe(true);
  });

  it('is true for an environment endpoint alone', () => {
    expect(
      isMlServiceAvailable(
        component({ 'mlops/inference-url-staging': 'https://s.example.com' }),
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
