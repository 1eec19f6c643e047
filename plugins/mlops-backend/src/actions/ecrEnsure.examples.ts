import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Ensure a repository with the defaults: immutable tags, scan on push, KMS, lifecycle policy.',
    example: yaml.stringify({
      steps: [
        {
          id: 'ecr',
          action: 'mlops:ecr:ensure',
          name: 'Ensure ECR repository',
          input: { repositoryName: 'ml/churn-model', region: 'eu-west-1' },
        },
      ],
    }),
  },
  {
    description:
      'Ensure a repository that another account may pull from, with a custom lifecycle.',
    example: yaml.stringify({
      steps: [
        {
          id: 'ecr',
          action: 'mlops:ecr:ensure',
          name: 'Ensure ECR repository shared with the prod account',
          input: {
            repositoryName: 'fraud-model',
            region: 'us-east-1',
            accountId: '123456789012',
            lifecycle: { keepLastTagged: 50, expireUntaggedAfterDays: 7 },
            pullPrincipals: ['210987654321'],
            tags: { team: 'risk' },
          },
        },
      ],
    }),
  },
  {
    description:
      "Ensure a repository whose deployed images never expire under newer builds: the deploy tags the image it rolls out with the environment name (prod-run-<id>, dev-run-<id>), and each environment keeps its own last 30; prod is listed first so an image in both counts as prod's.",
    example: yaml.stringify({
      steps: [
        {
          id: 'ecr',
          action: 'mlops:ecr:ensure',
          name: 'Ensure ECR repository, keeping what each environment runs',
          input: {
            repositoryName: 'churn-model',
            region: 'eu-west-1',
            lifecycle: { protectedTagPrefixes: ['prod', 'dev'] },
          },
        },
      ],
    }),
  },
  {
    description:
      'Ensure a mutable-tag repository encrypted with AES256, without scan on push (sandbox use).',
    example: yaml.stringify({
      steps: [
        {
          id: 'ecr',
          action: 'mlops:ecr:ensure',
          name: 'Ensure sandbox ECR repository',
          input: {
            repositoryName: 'sandbox/experiments',
            region: 'us-east-1',
            imageTagMutability: 'MUTABLE',
            scanOnPush: false,
            encryption: 'AES256',
          },
        },
      ],
    }),
  },
];
