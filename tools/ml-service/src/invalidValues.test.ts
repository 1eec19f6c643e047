import path from 'node:path';
import { DryRunRenderer, InvalidValuesError } from './DryRunRenderer';
import { DEFAULT_TEMPLATE_DIR, renderWith } from './render';
import { readTemplateDirectory, TemplateDirectory } from './templateDirectory';
import { readValuesFile } from './values';

jest.setTimeout(120_000);

type Case = [
  description: string,
  change: Record<string, unknown>,
  field: string,
  message: RegExp,
];

const UNSET = undefined;

const cases: Case[] = [
  [
    'name with uppercase',
    { name: 'Churn-Model' },
    'name',
    /does not match pattern/,
  ],
  [
    'name too short',
    { name: 'ab' },
    'name',
    /does not meet minimum length of 3/,
  ],
  [
    'name too long',
    { name: `a${'b'.repeat(40)}` },
    'name',
    /does not meet maximum length of 40/,
  ],
  [
    'name ending in a hyphen',
    { name: 'churn-' },
    'name',
    /does not match pattern/,
  ],
  ['missing owner', { owner: UNSET }, 'owner', /requires property "owner"/],
  [
    'unknown problem type',
    { problemType: 'clustering' },
    'problemType',
    /is not one of enum values/,
  ],
  [
    'S3 dataset without a URI',
    { datasetSource: 's3' },
    'datasetUri',
    /requires property "datasetUri"/,
  ],
  [
    'dataset URI that is not S3',
    { datasetSource: 's3', datasetUri: 'https://x/y.csv' },
    'datasetUri',
    /does not match pattern/,
  ],
  [
    'quality threshold above 1',
    { qualityThreshold: 1.5 },
    'qualityThreshold',
    /must be less than or equal to 1/,
  ],
  [
    'account ID of 11 digits',
    { awsAccountId: '12345678901' },
    'awsAccountId',
    /does not match pattern/,
  ],
  [
    'unsupported region',
    { awsRegion: 'mars-north-1' },
    'awsRegion',
    /is not one of enum values/,
  ],
  [
    'no environments',
    { environments: [] },
    'environments',
    /does not meet minimum length of 1/,
  ],
  [
    'unknown environment',
    { environments: ['dev', 'qa'] },
    'environments[1]',
    /is not one of enum values/,
  ],
  [
    'duplicate environments',
    { environments: ['dev', 'dev'] },
    'environments',
    /contains duplicate item/,
  ],
  [
    'existing cluster without its name',
    { clusterMode: 'existing' },
    'existingClusterName',
    /requires property "existingClusterName"/,
  ],
  [
    'unsupported Kubernetes version',
    { kubernetesVersion: '1.20' },
    'kubernetesVersion',
    /is not one of enum values/,
  ],
  [
    'unknown instance type',
    { nodeInstanceTypes: ['m1.tiny'] },
    'nodeInstanceTypes[0]',
    /is not one of enum values/,
  ],
  [
    'zero nodes',
    { nodeMinSize: 0 },
    'nodeMinSize',
    /must be greater than or equal to 1/,
  ],
  [
    'max nodes below min',
    { nodeMinSize: 4, nodeMaxSize: 2 },
    'nodeMaxSize',
    /must be at least nodeMinSize/,
  ],
  [
    'namespace with underscore',
    { namespace: 'ml_services' },
    'namespace',
    /does not match pattern/,
  ],
  [
    'max replicas below min',
    { replicasMin: 5, replicasMax: 2 },
    'replicasMax',
    /must be at least replicasMin/,
  ],
  [
    'CPU quantity in cores with a unit',
    { cpuRequest: '2cores' },
    'cpuRequest',
    /does not match pattern/,
  ],
  [
    'CPU limit below request',
    { cpuRequest: '2', cpuLimit: '500m' },
    'cpuLimit',
    /must be at least cpuRequest/,
  ],
  [
    'memory in bytes',
    { memoryRequest: '512' },
    'memoryRequest',
    /does not match pattern/,
  ],
  [
    'memory limit below request',
    { memoryRequest: '2Gi', memoryLimit: '512Mi' },
    'memoryLimit',
    /must be at least memoryRequest/,
  ],
  [
    'unknown visibility',
    { endpointVisibility: 'private' },
    'endpointVisibility',
    /is not one of enum values/,
  ],
  [
    'host with a scheme',
    { host: 'https://churn.example.com' },
    'host',
    /does not match pattern/,
  ],
  [
    'certificate that is not an ACM ARN',
    { certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' },
    'certificateArn',
    /does not match pattern/,
  ],
  [
    'public certificate without a host',
    { host: UNSET },
    'host',
    /is required when a certificate is set/,
  ],
  [
    'bad default branch',
    { defaultBranch: '-main' },
    'defaultBranch',
    /does not match pattern/,
  ],
  [
    'state bucket override with uppercase',
    { stateBucketName: 'My-State' },
    'stateBucketName',
    /does not match pattern/,
  ],
  [
    'ECR override with a double slash',
    { ecrRepositoryName: 'team//model' },
    'ecrRepositoryName',
    /does not match pattern/,
  ],
];

describe('invalid values are rejected with the field named, before anything is created', () => {
  let renderer: DryRunRenderer;
  let template: TemplateDirectory;
  let valid: Record<string, unknown>;

  beforeAll(async () => {
    template = await readTemplateDirectory(DEFAULT_TEMPLATE_DIR);
    valid = await readValuesFile(
      path.resolve(
        __dirname,
        '../../../examples/values/classification-new-eu.yaml',
      ),
    );
    renderer = await DryRunRenderer.start();
  });
  afterAll(() => renderer?.stop());

  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('%s', async (_description, change, field, message) => {
    const values = { ...valid, ...change };
    for (const [key, value] of Object.entries(change)) {
      if (value === UNSET) {
        delete values[key];
      }
    }
    const error = await renderWith(renderer, template, values).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidValuesError);
    const problems = (error as InvalidValuesError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ field })]),
    );
    const messages = problems
      .filter(p => p.field === field)
      .map(p => p.message);
    expect(messages.join('\n')).toMatch(message);
    expect((error as Error).message).toContain(`${field}: `);
  });

  it('renders the valid base values (the cases above fail for their own reason)', async () => {
    const result = await renderWith(renderer, template, valid);
    expect(result.files.map(f => f.path)).toContain('catalog-info.yaml');
  });
});
