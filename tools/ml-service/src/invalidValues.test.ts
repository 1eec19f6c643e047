import { serviceValueProblems } from '@eks-mlops/backstage-plugin-mlops-common';
import { DryRunRenderer, InvalidValuesError } from './DryRunRenderer';
import {
  EXISTING_ROLES,
  existingRole,
  REFUSED_ACROSS_FIELDS,
  REFUSED_BY_SCHEMA,
  VALID_VALUES_FILE,
  RefusedValue,
  withChange,
} from './refusedValues';
import { DEFAULT_TEMPLATE_DIR, renderWith } from './render';
import { readTemplateDirectory, TemplateDirectory } from './templateDirectory';
import {
  checkAgainstParameters,
  effectiveValues,
  readValuesFile,
} from './values';

jest.setTimeout(120_000);

describe('invalid values are rejected with the field named, before anything is created', () => {
  let renderer: DryRunRenderer;
  let template: TemplateDirectory;
  let valid: Record<string, unknown>;

  beforeAll(async () => {
    template = await readTemplateDirectory(DEFAULT_TEMPLATE_DIR);
    valid = await readValuesFile(VALID_VALUES_FILE);
    renderer = await DryRunRenderer.start();
  });
  afterAll(() => renderer?.stop());

  it.each([...REFUSED_BY_SCHEMA, ...REFUSED_ACROSS_FIELDS])(
    '%s',
    async (...[, change, field, message]: RefusedValue) => {
      const error = await renderWith(
        renderer,
        template,
        withChange(valid, change),
      ).then(
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
    },
  );

  it.each<[string, Record<string, unknown>]>([
    [
      'any valid EC2 instance type',
      { nodeInstanceTypes: ['t3.medium', 't3.small', 'm7i-flex.large'] },
    ],
    [
      'GPU, network-optimised and metal instance types',
      { nodeInstanceTypes: ['g5.xlarge', 'c6in.16xlarge', 'm7i.metal-24xl'] },
    ],
    [
      'a namespace that only starts like a reserved one',
      { namespace: 'kubeflow' },
    ],
    ['a namespace that contains "default"', { namespace: 'default-ml' }],
    ['a branch with a slash and dots', { defaultBranch: 'release/1.2.x' }],
    [
      'a description with quotes, #, :, braces and line breaks',
      { description: 'It\'s "fine": # {{ x }} ${{ y }}\nsecond line' },
    ],
    ['existing CI roles for every environment', EXISTING_ROLES],
    [
      'an existing training role in the account that holds the data',
      {
        ...EXISTING_ROLES,
        datasetSource: 's3',
        datasetUri: 's3://acme-data/churn/train.csv',
        existingTrainingRoleArn: existingRole(
          'read-churn-data',
          '999999999999',
        ),
      },
    ],
    [
      'created CI roles, with some existing ARNs left in the form',
      {
        ciRoles: 'create',
        existingTerraformRoleArns: { dev: existingRole('dev-ci-terraform') },
      },
    ],
    ...['auto', 'nodegroup', 'fargate'].map(
      (computeMode): [string, Record<string, unknown>] => [
        `compute mode ${computeMode} of a new cluster`,
        { clusterMode: 'new', computeMode },
      ],
    ),
    [
      'a compute mode left in the form of an existing cluster (ignored)',
      {
        clusterMode: 'existing',
        existingClusterName: 'platform-shared',
        computeMode: 'something-else',
      },
    ],
    ['a public repository', { repoVisibility: 'public' }],
    [
      'prod reviewers, users and groups',
      { prodReviewers: ['group:default/ml-team', 'user:default/jane'] },
    ],
  ])('accepts %s', (_description, change) => {
    const values = withChange(valid, change);
    expect([
      ...checkAgainstParameters(template.template, values),
      ...serviceValueProblems(effectiveValues(template.template, values)),
    ]).toEqual([]);
  });

  it('renders the valid base values (the cases above fail for their own reason)', async () => {
    const result = await renderWith(renderer, template, valid);
    expect(result.files.map(f => f.path)).toContain('catalog-info.yaml');
  });
});
