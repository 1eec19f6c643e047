import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const repoUrl = 'github.com?owner=acme&repo=churn-model';

function step(name: string, input: Record<string, unknown>) {
  return yaml.stringify({
    steps: [
      {
        id: 'environment',
        action: 'github:environment:create',
        name,
        input: { repoUrl, ...input },
      },
    ],
  });
}

export const examples: TemplateExample[] = [
  {
    description: 'Record an environment any branch may deploy to.',
    example: step('Create the dev environment', { name: 'dev' }),
  },
  {
    description:
      'Record an environment only the default branch may deploy to, with the role its Terraform job assumes.',
    example: step('Create the staging environment', {
      name: 'staging',
      deploymentBranchPolicy: {
        protected_branches: false,
        custom_branch_policies: true,
      },
      customBranchPolicyNames: ['main'],
      environmentVariables: {
        AWS_TERRAFORM_ROLE_ARN:
          'arn:aws:iam::123456789012:role/churn-model-staging-ci-terraform',
      },
    }),
  },
  {
    description:
      'Record a production environment with required reviewers who may not approve their own deployments.',
    example: step('Create the prod environment', {
      name: 'prod',
      deploymentBranchPolicy: {
        protected_branches: false,
        custom_branch_policies: true,
      },
      customBranchPolicyNames: ['main'],
      reviewers: ['group:default/ml-team'],
      preventSelfReview: true,
      waitTimer: 5,
    }),
  },
];
