import { Entity } from '@backstage/catalog-model';
import { getInferenceEndpoints, hasInferenceEndpoint } from './entity';
import {
  describeEndpointLocation,
  parseKubernetesServiceTarget,
} from './kubernetes';

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'churn-model', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

describe('Kubernetes targets', () => {
  it('parses cluster, namespace, service and port', () => {
    expect(
      parseKubernetesServiceTarget(' prod-eks/ml/churn-model:8080 '),
    ).toEqual({
      cluster: 'prod-eks',
      namespace: 'ml',
      service: 'churn-model',
      port: '8080',
    });
    expect(parseKubernetesServiceTarget('ml/churn-model')).toEqual({
      namespace: 'ml',
      service: 'churn-model',
      port: 'http',
    });
  });

  it.each([
    ['churn-model', /expected \[<cluster>\/\]<namespace>\/<service>/],
    ['a/b/c/d', /expected/],
    ['demo/ML/churn-model', /namespace "ML" is not a DNS-1123 label/],
    ['demo/ml/9churn', /service "9churn" is not a DNS-1035 label/],
    ['demo/ml/churn_model', /service "churn_model"/],
    [`demo/${'a'.repeat(64)}/svc`, /namespace "a+" is not a DNS-1123 label/],
    ['demo/ml/svc:0', /port 0 is not between 1 and 65535/],
    ['demo/ml/svc:70000', /port 70000/],
    ['demo/ml/svc:http_port', /port "http_port" is neither/],
    ['bad cluster/ml/svc', /cluster "bad cluster" is not a cluster name/],
    ['demo/../svc', /namespace "\.\." is not a DNS-1123 label/],
    ['demo/ml/svc:http/../x', /expected|not/],
  ])('refuses %s', (value, message) => {
    expect(() => parseKubernetesServiceTarget(value)).toThrow(message);
  });

  it('lists the explicit target as the primary endpoint, per environment too', () => {
    const endpoints = getInferenceEndpoints(
      component({
        'mlops/kubernetes-service': 'prod-eks/ml/churn-model',
        'mlops/inference-environment': 'prod',
        'mlops/kubernetes-service-dev': 'dev-eks/ml-dev/churn-model:9000',
        'mlops/inference-url-staging': 'https://staging.example.com',
        'mlops/kubernetes-service-staging': 'x/y/z',
      }),
    );
    expect(endpoints).toEqual([
      {
        environment: 'prod',
        url: 'k8s:prod-eks/ml/churn-model:http',
        kubernetes: {
          cluster: 'prod-eks',
          namespace: 'ml',
          service: 'churn-model',
          port: 'http',
        },
        protocol: 'v2',
        modelName: 'churn-model',
      },
      {
        environment: 'dev',
        url: 'k8s:dev-eks/ml-dev/churn-model:9000',
        kubernetes: {
          cluster: 'dev-eks',
          namespace: 'ml-dev',
          service: 'churn-model',
          port: '9000',
        },
        protocol: 'v2',
        modelName: 'churn-model',
      },
      {
        environment: 'staging',
        url: 'https://staging.example.com',
        protocol: 'v2',
        modelName: 'churn-model',
      },
    ]);
  });

  it('prefers mlops/inference-url over a Kubernetes target', () => {
    const endpoints = getInferenceEndpoints(
      component({
        'mlops/inference-url': 'https://m.example.com',
        'mlops/kubernetes-service': 'demo/ml/churn-model',
        'backstage.io/kubernetes-id': 'churn-model',
        'backstage.io/kubernetes-namespace': 'ml',
        'mlops/model-name': 'churn',
      }),
    );
    expect(endpoints.map(e => e.url)).toEqual(['https://m.example.com']);
  });

  it('derives a target from the Kubernetes annotations of a marked ML service', () => {
    const annotations = {
      'backstage.io/kubernetes-id': 'churn-model',
      'backstage.io/kubernetes-namespace': 'ml',
      'backstage.io/kubernetes-cluster': 'demo',
    };
    expect(hasInferenceEndpoint(component(annotations))).toBe(false);
    const [endpoint] = getInferenceEndpoints(
      component({ ...annotations, 'mlops/model-name': 'churn' }),
    );
    expect(endpoint).toMatchObject({
      url: 'k8s:demo/ml/churn-model:http',
      kubernetes: { cluster: 'demo', namespace: 'ml', service: 'churn-model' },
      modelName: 'churn',
    });
  });

  it('lists an invalid target with the reason, never as callable', () => {
    const [explicit] = getInferenceEndpoints(
      component({ 'mlops/kubernetes-service': 'demo/Bad_NS/churn-model' }),
    );
    expect(explicit.kubernetes).toBeUndefined();
    expect(explicit.url).toBe('k8s:demo/Bad_NS/churn-model');
    expect(explicit.invalid).toMatch(
      /namespace "Bad_NS" is not a DNS-1123 label/,
    );

    const [implicit] = getInferenceEndpoints(
      component({
        'backstage.io/kubernetes-id': 'Churn.Model',
        'backstage.io/kubernetes-namespace': 'ml',
        'mlops/inference-protocol': 'v2',
      }),
    );
    expect(implicit.kubernetes).toBeUndefined();
    expect(implicit.invalid).toMatch(
      /service "Churn.Model" is not a DNS-1035 label/,
    );
  });

  it('describes a proxy endpoint for people', () => {
    expect(describeEndpointLocation('k8s:demo/ml/churn-model:http')).toBe(
      'k8s: demo/ml/churn-model:http',
    );
    expect(describeEndpointLocation('https://m.example.com')).toBe(
      'https://m.example.com',
    );
  });
});
