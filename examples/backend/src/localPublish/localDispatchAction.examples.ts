import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

function step(name: string, input: Record<string, unknown>) {
  return yaml.stringify({
    steps: [
      {
        id: 'dispatch',
        action: 'github:actions:dispatch',
        name,
        input: { repoUrl: 'github.com?owner=acme&repo=churn-model', ...input },
      },
    ],
  });
}

export const examples: TemplateExample[] = [
  {
    description:
      'Record the first run of the deploy workflow on the default branch.',
    example: step('Start the first deployment', {
      workflowId: 'deploy.yml',
      branchOrTagName: 'main',
    }),
  },
  {
    description:
      'Record a rollback: the deploy workflow with an image digest as its input.',
    example: step('Roll back to an image', {
      workflowId: 'deploy.yml',
      branchOrTagName: 'main',
      workflowInputs: {
        image_digest:
          'sha256:0000000000000000000000000000000000000000000000000000000000000000',
      },
    }),
  },
];
