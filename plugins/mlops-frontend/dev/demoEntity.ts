import { Entity } from '@backstage/catalog-model';

/**
 * The entity the dev app's entity page shows. The mlops backend answers for
 * it only if its catalog holds an entity with the same reference.
 */
export const demoEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'churn-model',
    namespace: 'default',
    title: 'Churn model',
    description: 'Predicts which customers are about to cancel.',
    annotations: {
      'mlops/inference-url': 'http://localhost:8080',
      'mlops/inference-protocol': 'v2',
      'mlops/model-name': 'churn-model',
      'mlops/ecr-repository':
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-model',
      'mlops/tfstate': 's3://acme-ml-tfstate/churn-model',
      'mlops/aws-region': 'eu-west-1',
      'mlops/aws-account-id': '123456789012',
      'mlops/eks-cluster': 'ml-prod',
      'backstage.io/kubernetes-id': 'churn-model',
      'github.com/project-slug': 'acme/churn-model',
    },
    links: [
      {
        url: 'https://grafana.example.com/d/churn-model',
        title: 'Grafana: churn-model',
        type: 'dashboard',
      },
    ],
  },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:default/team-churn',
  },
};
