import { Entity } from '@backstage/catalog-model';
import {
  getInferenceEndpoints,
  getInferenceProtocol,
  getModelName,
  getPrimaryEnvironment,
  hasInferenceEndpoint,
  isMlService,
} from './entity';

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'churn-model', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

describe('entity helpers', () => {
  it('lists the primary endpoint first, then environments in order', () => {
    const entity = component({
      'mlops/inference-url-staging': 'https://staging.example.com',
      'mlops/inference-url': 'https://prod.example.com',
      'mlops/inference-url-dev': 'https://dev.example.com',
      'mlops/model-name': 'churn',
    });
    expect(getInferenceEndpoints(entity)).toEqual([
      {
        environment: 'default',
        url: 'https://prod.example.com',
        protocol: 'v2',
        modelName: 'churn',
      },
      {
        environment: 'dev',
        url: 'https://dev.example.com',
        protocol: 'v2',
        modelName: 'churn',
      },
      {
        environment: 'staging',
        url: 'https://staging.example.com',
        protocol: 'v2',
        modelName: 'churn',
      },
    ]);
  });

  it('labels the primary endpoint with its annotated environment', () => {
    const entity = component({
      'mlops/inference-url': 'https://prod.example.com',
      'mlops/inference-environment': 'prod',
      'mlops/inference-url-dev': 'https://dev.example.com',
      'mlops/inference-url-prod': 'https://other.example.com',
    });
    expect(getPrimaryEnvironment(entity)).toBe('prod');
    expect(
      getInferenceEndpoints(entity).map(e => [e.environment, e.url]),
    ).toEqual([
      ['prod', 'https://prod.example.com'],
      ['dev', 'https://dev.example.com'],
    ]);
  });

  it('defaults the model name to the entity name and the protocol to v2', () => {
    const entity = component({ 'mlops/inference-url': 'http://x' });
    expect(getModelName(entity)).toBe('churn-model');
    expect(getInferenceProtocol(entity)).toBe('v2');
  });

  it('reads the v1 protocol annotation case-insensitively', () => {
    expect(
      getInferenceProtocol(component({ 'mlops/inference-protocol': ' V1 ' })),
    ).toBe('v1');
  });

  it.each([
    [
      'a query',
      'http://10.0.0.5/internal/admin/export?ignored=',
      'it has a query',
    ],
    ['an empty query', 'http://10.0.0.5/admin?', 'it has a query'],
    ['a fragment', 'https://models.example.com/admin#', 'it has a fragment'],
    [
      'credentials',
      'https://user:secret@models.example.com',
      'it carries credentials',
    ],
    [
      'another scheme',
      'file:///etc/passwd',
      'scheme file: is not http or https',
    ],
    ['no scheme', 'models.example.com/churn', 'not an absolute URL'],
  ])(
    'marks an inference URL with %s invalid, so nothing calls it',
    (_, url, problem) => {
      const [primary, dev] = getInferenceEndpoints(
        component({
          'mlops/inference-url': url,
          'mlops/inference-url-dev': url,
        }),
      );
      expect(primary).toMatchObject({ url, environment: 'default' });
      expect(primary.invalid).toBe(
        `invalid mlops/inference-url "${url}": ${problem}; give the base URL the protocol paths go under, e.g. https://models.example.com/churn`,
      );
      expect(dev.invalid).toContain(
        `invalid mlops/inference-url-dev "${url}": ${problem}`,
      );
    },
  );

  it('accepts an inference URL with a port and a base path', () => {
    const [endpoint] = getInferenceEndpoints(
      component({
        'mlops/inference-url': 'http://10.0.0.5:8080/models/churn/',
      }),
    );
    expect(endpoint.invalid).toBeUndefined();
  });

  it('ignores blank endpoint annotations', () => {
    const entity = component({
      'mlops/inference-url': ' ',
      'mlops/inference-url-': 'http://x',
    });
    expect(hasInferenceEndpoint(entity)).toBe(false);
  });

  it('makes an ML service only of an entity the backend asks the catalog for', () => {
    const environmentsOnly = { 'mlops/inference-url-staging': 'http://s' };

    expect(hasInferenceEndpoint(component(environmentsOnly))).toBe(true);
    expect(isMlService(component(environmentsOnly))).toBe(false);
    expect(
      isMlService(
        component({ ...environmentsOnly, 'mlops/inference-url': 'http://p' }),
      ),
    ).toBe(true);
    expect(
      isMlService(component({ 'mlops/kubernetes-service': 'ml/churn:http' })),
    ).toBe(true);
  });
});
