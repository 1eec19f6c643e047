import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Ensure a state bucket with SSE-KMS and the S3 lockfile (Terraform 1.10+).',
    example: yaml.stringify({
      steps: [
        {
          id: 'tfstate',
          action: 'mlops:tfstate:ensure',
          name: 'Ensure Terraform state bucket',
          input: {
            bucketName: 'acme-tfstate-churn-model',
            region: 'eu-west-1',
            stateKeyPrefix: 'churn-model',
            tags: { team: 'ml-platform' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Ensure a state bucket in a named account with a legacy DynamoDB lock table.',
    example: yaml.stringify({
      steps: [
        {
          id: 'tfstate',
          action: 'mlops:tfstate:ensure',
          name: 'Ensure Terraform state bucket and lock table',
          input: {
            bucketName: 'acme-tfstate-fraud-model',
            region: 'us-east-1',
            accountId: '123456789012',
            lockTable: 'acme-terraform-locks',
          },
        },
      ],
    }),
  },
  {
    description:
      'Ensure a state bucket encrypted with S3-managed keys (AES256) instead of KMS.',
    example: yaml.stringify({
      steps: [
        {
          id: 'tfstate',
          action: 'mlops:tfstate:ensure',
          name: 'Ensure Terraform state bucket',
          input: {
            bucketName: 'acme-tfstate-sandbox',
            region: 'us-east-1',
            encryption: 'AES256',
          },
        },
      ],
    }),
  },
];
