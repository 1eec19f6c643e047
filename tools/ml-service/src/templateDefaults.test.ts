import { DryRunRenderer, RenderResult } from './DryRunRenderer';
import { DEFAULT_TEMPLATE_DIR, renderWith } from './render';
import { readTemplateDirectory, TemplateDirectory } from './templateDirectory';
import { effectiveValues } from './values';

jest.setTimeout(120_000);

/** Only what the template requires: what a scaffolder REST API caller may send. */
const REQUIRED_ONLY: Array<[string, Record<string, unknown>]> = [
  [
    'a new cluster',
    {
      name: 'minimal-new',
      owner: 'group:default/ml-team',
      awsAccountId: '123456789012',
      repoUrl: 'github.com?owner=acme&repo=minimal-new',
    },
  ],
  [
    'an existing cluster (no node settings at all)',
    {
      name: 'minimal-existing',
      owner: 'group:default/ml-team',
      awsAccountId: '123456789012',
      clusterMode: 'existing',
      existingClusterName: 'platform-shared',
      repoUrl: 'github.com?owner=acme&repo=minimal-existing',
    },
  ],
];

function filesOf(result: RenderResult): Record<string, string> {
  return Object.fromEntries(
    result.files.map(file => [
      file.path,
      Buffer.from(file.base64Content, 'base64').toString('utf8'),
    ]),
  );
}

describe('the template supplies every default itself, as REST API tasks need', () => {
  let renderer: DryRunRenderer;
  let template: TemplateDirectory;

  beforeAll(async () => {
    template = await readTemplateDirectory(DEFAULT_TEMPLATE_DIR);
    renderer = await DryRunRenderer.start();
  });
  afterAll(() => renderer?.stop());

  it.each(REQUIRED_ONLY)(
    'only the required fields for %s render what the form, with its defaults, renders',
    async (_description, values) => {
      const formValues = effectiveValues(template.template, values);
      expect(Object.keys(formValues).length).toBeGreaterThan(
        Object.keys(values).length + 15,
      );
      const [fromApi, fromForm] = await Promise.all([
        renderWith(renderer, template, values),
        renderWith(renderer, template, formValues),
      ]);
      const apiFiles = filesOf(fromApi);
      expect(apiFiles).toEqual(filesOf(fromForm));
      // The same AWS bootstrap, GitHub variables, environments and dispatch, step by step.
      expect(fromApi.steps).toEqual(fromForm.steps);
      expect(fromApi.steps.map(step => step.stepId)).toEqual([
        'validate',
        'tfstate',
        'ecr',
        'ci-roles',
        'fetch-base',
        ...(formValues.environments as string[]).map(
          () => 'fetch-environments',
        ),
        'publish',
        'oidc-subject',
        ...(formValues.ciRoles === 'existing' ? [] : ['ci-trust']),
        ...(formValues.environments as string[]).map(() => 'environments'),
        'register',
        'dispatch',
      ]);
      expect(fromApi.output).toEqual(fromForm.output);
      // The closing text names the issuer whose tokens the roles trust (mlops:github-oidc:subject's output).
      expect(JSON.stringify(fromApi.output)).toContain(
        'in tokens of `https://token.actions.githubusercontent.com`, which the roles must trust',
      );
      // computeMode exists only for a new cluster; its default must come from the steps too.
      const newCluster = formValues.clusterMode === 'new';
      expect(formValues.computeMode).toBe(newCluster ? 'auto' : undefined);
      for (const env of formValues.environments as string[]) {
        expect(Object.keys(apiFiles)).toContain(
          `terraform/envs/${env}/terraform.tfvars`,
        );
        const tfvars = apiFiles[`terraform/envs/${env}/terraform.tfvars`];
        expect(/^compute_mode\s*=\s*"(.*)"$/m.exec(tfvars)?.[1]).toBe(
          newCluster ? 'auto' : undefined,
        );
      }
      expect(apiFiles['catalog-info.yaml']).toContain(
        'mlops/inference-environment: prod',
      );
    },
  );
});
