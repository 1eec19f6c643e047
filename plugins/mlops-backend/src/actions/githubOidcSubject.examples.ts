import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Read a new repository's OIDC subject after publishing it, and make the CI roles trust it.",
    example: yaml.stringify({
      steps: [
        {
          id: 'oidc-subject',
          action: 'mlops:github-oidc:subject',
          name: 'Read the OIDC subject of the repository',
          input: { repoUrl: 'github.com?owner=acme&repo=churn-model' },
        },
        {
          id: 'ci-trust',
          action: 'mlops:github-oidc:ensure',
          name: 'Trust that subject in the CI roles',
          input: {
            githubOwner: 'acme',
            githubRepo: 'churn-model',
            subjectPrefix: "${{ steps['oidc-subject'].output.subjectPrefix }}",
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
