import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Make the roles before publishing the repository (its ARNs go into it), trusting no workflow until a run after publishing gives them the subjectPrefix of mlops:github-oidc:subject.',
    example: yaml.stringify({
      steps: [
        {
          id: 'ci-roles',
          action: 'mlops:github-oidc:ensure',
          name: 'Make the GitHub Actions roles, trusting nothing yet',
          input: {
            untrusted: true,
            githubOwner: 'acme',
            githubRepo: 'churn-model',
            environments: ['dev', 'prod'],
            defaultBranch: 'main',
            namePrefix: 'churn-model',
            region: 'eu-west-1',
            stateBucket: 'churn-model-tfstate-123456789012',
            stateKeyPrefix: 'churn-model',
          },
        },
      ],
    }),
  },
  {
    description:
      'Ensure the CI roles of a service with two environments: a Terraform role each, and the read-only plan role.',
    example: yaml.stringify({
      steps: [
        {
          id: 'ci-roles',
          action: 'mlops:github-oidc:ensure',
          name: 'Ensure the GitHub Actions roles',
          input: {
            githubOwner: 'acme',
            githubRepo: 'churn-model',
            environments: ['dev', 'prod'],
            defaultBranch: 'main',
            namePrefix: 'churn-model',
            region: 'eu-west-1',
            stateBucket: 'churn-model-tfstate-123456789012',
            stateKeyPrefix: 'churn-model',
          },
        },
      ],
    }),
  },
  {
    description:
      'Ensure the roles in a named account, with a training role that reads the dataset folder in S3, and tags.',
    example: yaml.stringify({
      steps: [
        {
          id: 'ci-roles',
          action: 'mlops:github-oidc:ensure',
          name: 'Ensure the GitHub Actions roles, training included',
          input: {
            githubOwner: 'acme',
            githubRepo: 'fraud-model',
            environments: ['dev', 'staging', 'prod'],
            defaultBranch: 'trunk',
            namePrefix: 'fraud-model',
            region: 'us-east-1',
            accountId: '123456789012',
            stateBucket: 'fraud-model-tfstate-123456789012',
            stateKeyPrefix: 'fraud-model',
            stateRegion: 'us-east-1',
            datasetUri: 's3://acme-datasets/fraud/2024/transactions.csv',
            tags: { team: 'risk' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Ensure the CI roles of a repository on GitHub Enterprise Server: they trust its issuer, https://<host>/_services/token, which must be reachable from AWS.',
    example: yaml.stringify({
      steps: [
        {
          id: 'ci-roles',
          action: 'mlops:github-oidc:ensure',
          name: 'Ensure the GitHub Actions roles of a GHES repository',
          input: {
            githubHost: 'github.example.com',
            githubOwner: 'acme',
            githubRepo: 'churn-model',
            environments: ['dev', 'prod'],
            defaultBranch: 'main',
            namePrefix: 'churn-model',
            region: 'eu-west-1',
            stateBucket: 'churn-model-tfstate-123456789012',
            stateKeyPrefix: 'churn-model',
          },
        },
      ],
    }),
  },
];
