import { Entity } from '@backstage/catalog-model';
import { clustersNamedBy, countedClusters } from './entityClusters';

function entity(
  annotations: Record<string, string>,
  relations: Entity['relations'] = [],
  namespace = 'default',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'churn-model', namespace, annotations },
    spec: { type: 'service', owner: 'group:default/ml-team' },
    relations,
  };
}

const dependsOn = (targetRef: string) => ({ type: 'dependsOn', targetRef });

/**
 * What the ml-service template writes for a service with its own clusters
 * (clusterMode new, no host), with the dependsOn relations the catalog module
 * adds for the clusters it discovers.
 */
const templateEntity = entity(
  {
    'mlops/kubernetes-service': 'churn-model-prod/ml-churn/churn-model:http',
    'mlops/kubernetes-service-staging':
      'churn-model-staging/ml-churn/churn-model:http',
    'mlops/inference-environment': 'prod',
    'mlops/eks-cluster': 'churn-model-prod',
    'backstage.io/kubernetes-id': 'churn-model',
    'backstage.io/kubernetes-namespace': 'ml-churn',
  },
  [
    dependsOn('resource:default/churn-model-prod'),
    dependsOn('resource:default/churn-model-staging'),
    { type: 'ownedBy', targetRef: 'group:default/ml-team' },
  ],
);

describe('clustersNamedBy', () => {
  it('reads the clusters of the targets, mlops/eks-cluster and the dependsOn relations', () => {
    expect(clustersNamedBy(templateEntity)).toEqual([
      'churn-model-prod',
      'churn-model-staging',
    ]);
  });

  it('reads mlops/eks-cluster and backstage.io/kubernetes-cluster of an entity with an inference URL', () => {
    expect(
      clustersNamedBy(
        entity({
          'mlops/inference-url': 'https://churn-model.example.com',
          'mlops/eks-cluster': 'ml-prod',
          'backstage.io/kubernetes-cluster': 'eks-prod-eu-west-1',
        }),
      ),
    ).toEqual(['eks-prod-eu-west-1', 'ml-prod']);
  });

  it('ignores targets naming no cluster and targets it cannot parse', () => {
    expect(
      clustersNamedBy(
        entity({
          'mlops/kubernetes-service': 'ml-churn/churn-model:http',
          'mlops/kubernetes-service-dev': 'dev-eks/ML_CHURN/churn-model',
          'mlops/inference-url-staging': 'https://staging.example.com',
        }),
      ),
    ).toEqual([]);
  });

  it('follows dependsOn only to Resources in the entity namespace, as the catalogRelation locator does', () => {
    expect(
      clustersNamedBy(
        entity(
          {},
          [
            dependsOn('resource:ml/churn-model-prod'),
            dependsOn('resource:infra/shared-eks'),
            dependsOn('component:ml/feature-store'),
            { type: 'dependencyOf', targetRef: 'resource:ml/other-eks' },
          ],
          'ml',
        ),
      ),
    ).toEqual(['churn-model-prod']);
  });

  it('names no cluster for a hand-written entity with only an inference URL', () => {
    expect(
      clustersNamedBy(
        entity({ 'mlops/inference-url': 'https://churn-model.example.com' }),
      ),
    ).toEqual([]);
  });
});

describe('countedClusters', () => {
  const known = [
    'churn-model-prod',
    'churn-model-staging',
    'fraud-score-prod',
    'demand-forecast-prod',
  ];

  it('keeps the clusters the entity names that the Kubernetes plugin knows', () => {
    expect(countedClusters(templateEntity, known)).toEqual(
      new Set(['churn-model-prod', 'churn-model-staging']),
    );
    expect(
      countedClusters(templateEntity, ['churn-model-prod', 'fraud-score-prod']),
    ).toEqual(new Set(['churn-model-prod']));
  });

  it('matches lower-case relation targets to cluster names in any case', () => {
    const related = entity({}, [dependsOn('resource:default/ml-prod-eks')]);
    expect(countedClusters(related, ['ML-Prod-EKS', 'other'])).toEqual(
      new Set(['ML-Prod-EKS']),
    );
  });

  it('lets every cluster count when the entity names none the plugin knows', () => {
    // A database it depends on is a Resource, not a cluster.
    const unknownNames = entity(
      {
        'mlops/inference-url': 'https://churn-model.example.com',
        'mlops/eks-cluster': 'ml-prod',
      },
      [dependsOn('resource:default/churn-features-db')],
    );
    expect(countedClusters(unknownNames, known)).toBeUndefined();
    expect(
      countedClusters(
        entity({ 'mlops/inference-url': 'https://churn-model.example.com' }),
        known,
      ),
    ).toBeUndefined();
  });
});
