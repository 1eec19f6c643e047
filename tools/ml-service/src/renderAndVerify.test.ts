import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { DryRunRenderer } from './DryRunRenderer';
import {
  DEFAULT_TEMPLATE_DIR,
  renderRecordOf,
  renderWith,
  writeFiles,
} from './render';
import { readTemplateDirectory, TemplateDirectory } from './templateDirectory';
import { readValuesFile } from './values';
import { FIRST_PUSH_RULES } from './verify/firstPush';
import { formatResult, verifyRepository } from './verify/index';
import { writeRenderRecord } from './verify/renderRecord';

const VALUES_DIR = path.resolve(__dirname, '../../../examples/values');
/** Set MLOPS_VERIFY_SKIP_SLOW=1 locally to leave out the Python, `terraform test` and apply-against-moto checks; CI runs all. */
const SLOW = process.env.MLOPS_VERIFY_SKIP_SLOW !== '1';

jest.setTimeout(20 * 60_000);

describe('ml-service template: every example values file renders a repository that passes verify', () => {
  let renderer: DryRunRenderer;
  let template: TemplateDirectory;
  const valueFiles: string[] = require('node:fs')
    .readdirSync(VALUES_DIR)
    .filter((f: string) => f.endsWith('.yaml'))
    .sort();

  beforeAll(async () => {
    template = await readTemplateDirectory(DEFAULT_TEMPLATE_DIR);
    renderer = await DryRunRenderer.start();
  });
  afterAll(() => renderer?.stop());

  it('covers new and existing clusters, both problem types, two regions, one and three environments, CI roles created and given', async () => {
    const all = await Promise.all(
      valueFiles.map((f: string) => readValuesFile(path.join(VALUES_DIR, f))),
    );
    expect(valueFiles.length).toBeGreaterThanOrEqual(6);
    expect(new Set(all.map(v => v.clusterMode))).toEqual(
      new Set(['new', 'existing']),
    );
    expect(
      new Set(
        all
          .filter(v => v.clusterMode === 'new')
          .map(v => v.computeMode ?? 'auto'),
      ),
    ).toEqual(new Set(['auto', 'nodegroup', 'fargate']));
    expect(new Set(all.map(v => v.problemType))).toEqual(
      new Set(['classification', 'regression']),
    );
    expect(all.map(v => v.awsRegion)).toEqual(
      expect.arrayContaining(['us-east-1', 'eu-west-1']),
    );
    expect(all.map(v => (v.environments as string[]).length)).toEqual(
      expect.arrayContaining([1, 3]),
    );
    // Both ways the first-push check finds a role: made by the bootstrap, given in the form.
    expect(new Set(all.map(v => v.ciRoles ?? 'create'))).toEqual(
      new Set(['create', 'existing']),
    );
    // A public endpoint open to any address, and one that admits some source ranges only.
    expect(
      new Set(
        all
          .filter(v => v.endpointVisibility === 'public')
          .map(v => ((v.inboundCidrs as string[]) ?? []).length > 0),
      ),
    ).toEqual(new Set([true, false]));
  });

  it.each(valueFiles)('%s', async (file: string) => {
    const values = await readValuesFile(path.join(VALUES_DIR, file));
    const result = await renderWith(renderer, template, values);
    const outDir = await fs.mkdtemp(
      path.join(os.tmpdir(), `ml-service-${path.basename(file, '.yaml')}-`),
    );
    await writeFiles(outDir, result);
    const recordFile = await writeRenderRecord(
      outDir,
      await renderRecordOf(result, values),
    );

    const environments = values.environments as string[];
    for (const env of environments) {
      await expect(
        fs.stat(path.join(outDir, 'terraform', 'envs', env, 'main.tf')),
      ).resolves.toBeTruthy();
      await expect(
        fs.stat(
          path.join(outDir, 'k8s', 'overlays', env, 'kustomization.yaml'),
        ),
      ).resolves.toBeTruthy();
    }
    const catalog = yaml.parseAllDocuments(
      await fs.readFile(path.join(outDir, 'catalog-info.yaml'), 'utf8'),
    );
    const component = catalog
      .map(d => d.toJS())
      .find(e => e.kind === 'Component');
    expect(component.metadata.name).toBe(values.name);
    expect(component.metadata.annotations['mlops/aws-region']).toBe(
      values.awsRegion,
    );
    expect(component.metadata.annotations['mlops/ecr-repository']).toBe(
      `${values.awsAccountId}.dkr.ecr.${values.awsRegion}.amazonaws.com/${
        values.ecrRepositoryName ?? values.name
      }`,
    );
    const tfvars = await fs.readFile(
      path.join(
        outDir,
        'terraform',
        'envs',
        environments[0],
        'terraform.tfvars',
      ),
      'utf8',
    );
    const clusterSetting =
      values.clusterMode === 'existing'
        ? new RegExp(
            `existing_cluster_name\\s*=\\s*"${values.existingClusterName}"`,
          )
        : /create_cluster\s*=\s*true/;
    expect(tfvars).toMatch(clusterSetting);

    const ranges = (values.inboundCidrs as string[] | undefined) ?? [];
    const ingress = await fs.readFile(
      path.join(outDir, 'k8s', 'base', 'ingress.yaml'),
      'utf8',
    );
    const deployWorkflow = await fs.readFile(
      path.join(outDir, '.github', 'workflows', 'deploy.yml'),
      'utf8',
    );
    const publish = result.steps.find(step => step.stepId === 'publish');
    expect(publish?.input.repoVariables).toMatchObject({
      DEPLOY_RUNS_ON: values.deployRunsOn ?? 'ubuntu-24.04',
    });
    // Only with source ranges: the Ingress admits them alone, and the deploy job checks its runner first.
    expect(
      yaml.parse(ingress).metadata.annotations[
        'alb.ingress.kubernetes.io/inbound-cidrs'
      ],
    ).toBe(ranges.length > 0 ? ranges.join(',') : undefined);
    expect(
      /INBOUND_CIDRS: (.*)\n {8}run: python3 \.github\/scripts\/check_inbound_ranges\.py\n/.exec(
        deployWorkflow,
      )?.[1],
    ).toBe(ranges.length > 0 ? ranges.join(',') : undefined);
    expect(deployWorkflow.includes('check_inbound_ranges')).toBe(
      ranges.length > 0,
    );

    const results = await verifyRepository(outDir, String(values.name), {
      slow: SLOW,
      renderRecord: recordFile,
    }).finally(() =>
      Promise.all([
        fs.rm(outDir, { recursive: true, force: true }),
        fs.rm(recordFile, { force: true }),
      ]),
    );
    const report = results.map(formatResult).join('\n');
    expect(results.filter(r => r.status !== 'pass').map(formatResult)).toEqual(
      [],
    );
    expect(report).toContain('PASS  actionlint');
    expect(results.map(r => r.name)).toEqual(
      expect.arrayContaining(FIRST_PUSH_RULES.map(rule => rule.name)),
    );
    const slowChecks = SLOW
      ? [
          'pytest (make test)',
          'serving over HTTP (make serve: V2 infer, V1 predict)',
          ...environments.map(env => `terraform apply against moto (${env})`),
        ]
      : [];
    expect(results.map(r => r.name)).toEqual(
      expect.arrayContaining(slowChecks),
    );
  });
});
