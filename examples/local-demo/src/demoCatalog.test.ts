import { Entity, pointAtLocalEndpoints } from './demoCatalog';

function rendered(): Entity {
  return {
    kind: 'Component',
    metadata: {
      name: 'fraud-score',
      annotations: {
        'mlops/model-name': 'fraud-score',
        'mlops/inference-url':
          'http://fraud-score.ml-services.svc.cluster.local',
        'mlops/inference-url-staging': 'http://staging.example',
        'mlops/inference-environment': 'prod',
        'backstage.io/kubernetes-id': 'fraud-score',
      },
      links: [
        { url: 'https://github.com/acme/fraud-score', title: 'Repository' },
      ],
    },
  };
}

const service = {
  name: 'fraud-score',
  environments: ['staging', 'prod'],
  repoDir: '/tmp/fraud-score',
};
const servers = [
  { environment: 'staging', url: 'http://127.0.0.1:1001' },
  { environment: 'prod', url: 'http://127.0.0.1:1002' },
];

describe('pointAtLocalEndpoints', () => {
  it('points the URLs at the local model servers and links them', () => {
    const entity = rendered();
    pointAtLocalEndpoints(entity, service, servers);
    expect(entity.metadata.annotations).toMatchObject({
      'mlops/inference-url': 'http://127.0.0.1:1002',
      'mlops/inference-url-staging': 'http://127.0.0.1:1001',
    });
    expect(entity.metadata.annotations).not.toHaveProperty(
      'mlops/kubernetes-service',
    );
    expect(entity.metadata.links?.map(l => l.title)).toEqual([
      'Repository',
      'Local model server (staging)',
      'Local model server (prod)',
    ]);
  });

  it('gives a proxied service only its Kubernetes target: no URL, no link to the model server', () => {
    const entity = rendered();
    pointAtLocalEndpoints(
      entity,
      service,
      servers,
      'local-simulation/ml-services/fraud-score:http',
    );
    const annotations = entity.metadata.annotations ?? {};
    expect(annotations['mlops/kubernetes-service']).toBe(
      'local-simulation/ml-services/fraud-score:http',
    );
    expect(annotations['mlops/inference-environment']).toBe('prod');
    expect(
      Object.keys(annotations).filter(k => k.startsWith('mlops/inference-url')),
    ).toEqual([]);
    expect(entity.metadata.links?.map(l => l.title)).toEqual(['Repository']);
  });
});
