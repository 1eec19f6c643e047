import { Entity } from '@backstage/catalog-model';
import { serviceLinks } from './serviceLinks';

function entity(
  annotations: Record<string, string>,
  links: Entity['metadata']['links'] = [],
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'churn-model', annotations, links },
  };
}

describe('serviceLinks', () => {
  it('links every annotated place in the order ECR, CI, state, cluster, dashboards', () => {
    const links = serviceLinks(
      entity(
        {
          'mlops/ecr-repository':
            '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-model',
          'github.com/project-slug': 'acme/churn-model',
          'mlops/tfstate': 's3://acme-ml-tfstate/churn-model',
          'mlops/aws-region': 'eu-west-1',
          'mlops/eks-cluster': 'ml-prod',
        },
        [
          {
            url: 'https://grafana.example.com/d/churn',
            title: 'Grafana',
            type: 'dashboard',
          },
          { url: 'https://wiki.example.com/churn', title: 'Wiki' },
        ],
      ),
    );
    expect(links).toEqual([
      {
        kind: 'ecr',
        title: 'ECR repository churn-model',
        url: 'https://eu-west-1.console.aws.amazon.com/ecr/repositories/private/123456789012/churn-model?region=eu-west-1',
      },
      {
        kind: 'github',
        title: 'GitHub Actions runs',
        url: 'https://github.com/acme/churn-model/actions',
      },
      {
        kind: 'tfstate',
        title: 'Terraform state bucket acme-ml-tfstate',
        url: 'https://s3.console.aws.amazon.com/s3/buckets/acme-ml-tfstate?region=eu-west-1&prefix=churn-model%2F',
      },
      {
        kind: 'eks',
        title: 'EKS cluster ml-prod',
        url: 'https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/ml-prod',
      },
      {
        kind: 'dashboard',
        title: 'Grafana',
        url: 'https://grafana.example.com/d/churn',
      },
    ]);
  });

  it('skips values it cannot turn into a link', () => {
    expect(
      serviceLinks(
        entity({
          'mlops/ecr-repository': 'churn-model',
          'github.com/project-slug': 'not a slug',
          'mlops/tfstate': 'acme-ml-tfstate',
          'mlops/eks-cluster': 'ml-prod',
        }),
      ),
    ).toEqual([]);
  });
});
