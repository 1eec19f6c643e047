import { mlServiceEntity } from '../__testUtils__/fakes';
import {
  describePlacement,
  environmentPlacements,
} from './environmentPlacements';

describe('environmentPlacements', () => {
  it("places each environment by its Kubernetes target, the primary one's included", () => {
    const entity = mlServiceEntity({
      'mlops/kubernetes-service': 'ml-prod/ml-churn/churn-model:http',
      'mlops/inference-environment': 'prod',
      'mlops/kubernetes-service-dev': 'ml-dev/ml-churn/churn-model:http',
      'mlops/kubernetes-service-staging': 'ml-staging/churn-model',
      'backstage.io/kubernetes-namespace': 'ignored-for-a-target',
    });
    expect(Object.fromEntries(environmentPlacements(entity))).toEqual({
      prod: { cluster: 'ml-prod', namespace: 'ml-churn' },
      dev: { cluster: 'ml-dev', namespace: 'ml-churn' },
      staging: { namespace: 'ml-staging' },
    });
  });

  it('places a primary URL endpoint by the Kubernetes cluster annotation, else mlops/eks-cluster', () => {
    const annotations = {
      'mlops/inference-url': 'https://churn-model.ml.example.com',
      'mlops/inference-url-dev': 'https://dev.churn-model.ml.example.com',
      'mlops/eks-cluster': 'eks-prod',
      'backstage.io/kubernetes-namespace': 'ml-churn',
    };
    expect(
      Object.fromEntries(environmentPlacements(mlServiceEntity(annotations))),
    ).toEqual({ default: { cluster: 'eks-prod', namespace: 'ml-churn' } });
    expect(
      environmentPlacements(
        mlServiceEntity({
          ...annotations,
          'backstage.io/kubernetes-cluster': 'prod',
        }),
      ).get('default'),
    ).toEqual({ cluster: 'prod', namespace: 'ml-churn' });
  });

  it('places nothing it cannot tell: no namespace, an invalid target, or the primary environment named again', () => {
    const entity = mlServiceEntity({
      'mlops/inference-url': 'https://churn-model.ml.example.com',
      'mlops/inference-environment': 'prod',
      'mlops/kubernetes-service-prod': 'ml-other/ml-churn/churn-model:http',
      'mlops/kubernetes-service-dev': 'not a target',
      'mlops/eks-cluster': 'eks-prod',
    });
    expect(environmentPlacements(entity).size).toBe(0);
  });
});

describe('describePlacement', () => {
  it('names the namespace and the cluster', () => {
    expect(describePlacement({ cluster: 'ml-prod', namespace: 'ml' })).toBe(
      'in namespace ml of cluster ml-prod',
    );
    expect(describePlacement({ namespace: 'ml' })).toBe(
      'in namespace ml of any cluster',
    );
  });
});
