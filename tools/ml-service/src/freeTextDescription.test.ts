import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import yaml from 'yaml';
import { DryRunRenderer } from './DryRunRenderer';
import { DEFAULT_TEMPLATE_DIR, renderWith, writeFiles } from './render';
import { readTemplateDirectory } from './templateDirectory';
import { readValuesFile } from './values';
import { formatResult, verifyRepository } from './verify/index';

/** Set MLOPS_VERIFY_SKIP_SLOW=1 locally to leave out the Python and `terraform test` checks; CI runs all. */
const SLOW = process.env.MLOPS_VERIFY_SKIP_SLOW !== '1';

jest.setTimeout(20 * 60_000);

/** Quotes, YAML and TOML syntax, Markdown, Nunjucks and GitHub Actions expressions, line breaks. */
const DESCRIPTION = [
  `Says "hi" & it's: #1 -- {{ values.name }} and \${{ secrets.TOKEN }}`,
  '- key: value # not a comment',
  '    indented: [1, {a: b}] {% raw %}',
  '"""\\n\' end',
].join('\n');

describe('free text in the description is rendered safely in every generated file', () => {
  let repoDir: string;

  beforeAll(async () => {
    const template = await readTemplateDirectory(DEFAULT_TEMPLATE_DIR);
    const values = await readValuesFile(
      path.resolve(
        __dirname,
        '../../../examples/values/regression-new-eu-staging-prod.yaml',
      ),
    );
    const renderer = await DryRunRenderer.start();
    const result = await renderWith(renderer, template, {
      ...values,
      description: DESCRIPTION,
    }).finally(() => renderer.stop());
    repoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ml-service-free-text-'));
    await writeFiles(repoDir, result);
  });
  afterAll(() => fs.rm(repoDir, { recursive: true, force: true }));

  const read = (file: string) => fs.readFile(path.join(repoDir, file), 'utf8');

  it('keeps it intact in YAML: catalog entity, service config, MkDocs, OpenAPI', async () => {
    const component = yaml
      .parseAllDocuments(await read('catalog-info.yaml'))
      .map(d => d.toJS())
      .find(entity => entity.kind === 'Component');
    expect(component.metadata.description).toBe(DESCRIPTION);
    expect(yaml.parse(await read('service.yaml')).description).toBe(
      DESCRIPTION,
    );
    expect(yaml.parse(await read('mkdocs.yml')).site_description).toBe(
      DESCRIPTION,
    );
    expect(yaml.parse(await read('openapi.yaml')).info.description).toMatch(
      new RegExp(`^${DESCRIPTION.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n\n`),
    );
  });

  it('keeps it on one line in pyproject.toml', async () => {
    expect(parseToml(await read('pyproject.toml')).project).toMatchObject({
      description: DESCRIPTION.replace(/\s+/g, ' '),
    });
  });

  it('shows it as text in the Markdown pages', async () => {
    for (const file of ['README.md', 'MODEL.md', 'docs/index.md']) {
      expect({
        file,
        contains: (await read(file)).includes(DESCRIPTION),
      }).toEqual({ file, contains: true });
    }
  });

  it('never reaches a workflow, where ${{ }} would be evaluated', async () => {
    const dir = '.github/workflows';
    for (const file of await fs.readdir(path.join(repoDir, dir))) {
      expect(await read(path.join(dir, file))).not.toContain('secrets.TOKEN');
    }
  });

  it('passes every check of ml-service:verify', async () => {
    const results = await verifyRepository(repoDir, 'energy-load', {
      slow: SLOW,
    });
    expect(results.filter(r => r.status !== 'pass').map(formatResult)).toEqual(
      [],
    );
    expect(results.map(r => r.name)).toContain('YAML and TOML files parse');
  });
});
