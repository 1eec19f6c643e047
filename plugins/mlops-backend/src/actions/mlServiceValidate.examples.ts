import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Check the ml-service template's values that span two fields, and that the certificate is issued in ACM and covers " +
      'dev-churn.ml.example.com and churn.ml.example.com, and that a runner inside the source ranges deploys, ' +
      'before the first step that creates something. ' +
      'In a template, give each optional value with the default the later steps use, e.g. ${{ parameters.nodeMinSize | default(2) }}.',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'mlops:ml-service:validate',
          name: 'Check the values and the certificate',
          input: {
            awsAccountId: '123456789012',
            awsRegion: 'eu-west-1',
            environments: ['dev', 'prod'],
            nodeMinSize: 2,
            nodeMaxSize: 5,
            replicasMin: 2,
            replicasMax: 6,
            cpuRequest: '250m',
            cpuLimit: '1',
            memoryRequest: '512Mi',
            memoryLimit: '1Gi',
            endpointVisibility: 'public',
            host: 'churn.ml.example.com',
            certificateArn:
              'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
            inboundCidrs: ['203.0.113.0/24'],
            deployRunsOn: 'vpc-runner',
          },
        },
      ],
    }),
  },
];
