/*
 * yarn ml-service:render --values <file.yaml> --out <dir> [--template <dir>] [--aws-endpoint <url>]
 *
 * Renders the ml-service template through the real scaffolder dry-run (an
 * in-process backend) and writes the generated repository to <dir>, and
 * beside it <dir>.render.json: the steps that ran with their inputs, which
 * the first-push check of `yarn ml-service:verify <dir>` reads. With
 * --aws-endpoint (moto, started with MOTO_IAM_LOAD_MANAGED_POLICIES=true so
 * it holds the AWS-managed policies), the bootstrap actions run against it,
 * after the platform policies they require are created there.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serviceValueProblems } from '@eks-mlops/backstage-plugin-mlops-common';
import {
  DryRunRenderer,
  InvalidValuesError,
  RenderResult,
} from './DryRunRenderer';
import { seedPlatformPolicies } from './platformPolicies';
import { readTemplateDirectory, TemplateDirectory } from './templateDirectory';
import {
  readPlatformProvided,
  RenderRecord,
  writeRenderRecord,
} from './verify/renderRecord';
import {
  checkAgainstParameters,
  fieldHelp,
  readValuesFile,
  effectiveValues,
} from './values';

// These tools run from source through yarn scripts and are never bundled, so __dirname is stable.
export const DEFAULT_TEMPLATE_DIR = path.resolve(
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../templates/ml-service',
);

/**
 * Validates values with the template's own parameter schema, as the
 * scaffolder does for a task posted to its REST API, plus the rules that span
 * two fields (which the template's first step, `mlops:ml-service:validate`,
 * applies too); then renders them as given: the template supplies the
 * defaults of what they leave out, as it must for REST API callers.
 */
export async function renderWith(
  renderer: DryRunRenderer,
  templateDirectory: TemplateDirectory,
  values: Record<string, unknown>,
): Promise<RenderResult> {
  const problems = [
    ...checkAgainstParameters(templateDirectory.template, values),
    ...serviceValueProblems(
      effectiveValues(templateDirectory.template, values),
    ),
  ];
  try {
    if (problems.length > 0) {
      throw new InvalidValuesError(problems);
    }
    return await renderer.render(templateDirectory, values);
  } catch (error) {
    if (error instanceof InvalidValuesError) {
      throw new InvalidValuesError(
        error.problems.map(p => ({
          ...p,
          hint: fieldHelp(templateDirectory.template, p.field),
        })),
      );
    }
    throw error;
  }
}

export async function writeFiles(
  outDir: string,
  result: RenderResult,
): Promise<void> {
  await fs.mkdir(outDir, { recursive: true });
  for (const file of result.files) {
    const target = path.join(outDir, file.path);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, Buffer.from(file.base64Content, 'base64'), {
      mode: file.executable ? 0o755 : 0o644,
    });
  }
}

/** What the first-push check needs of a render, beyond the files. */
export async function renderRecordOf(
  result: RenderResult,
  values: Record<string, unknown>,
  templateDir: string = DEFAULT_TEMPLATE_DIR,
): Promise<RenderRecord> {
  return {
    values,
    steps: result.steps,
    platformProvided: await readPlatformProvided(templateDir),
  };
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      values: { type: 'string' },
      out: { type: 'string' },
      template: { type: 'string' },
      'aws-endpoint': { type: 'string' },
    },
  });
  if (!args.values || !args.out) {
    console.error(
      'usage: yarn ml-service:render --values <file.yaml> --out <dir> [--template <dir>] [--aws-endpoint <url>]',
    );
    process.exit(2);
  }
  const templateDir = path.resolve(args.template ?? DEFAULT_TEMPLATE_DIR);
  const templateDirectory = await readTemplateDirectory(templateDir);
  const values = await readValuesFile(path.resolve(args.values));
  if (args['aws-endpoint']) {
    const policies = await seedPlatformPolicies(args['aws-endpoint']);
    console.log(
      `platform policies in ${args['aws-endpoint']}: ${policies.join(', ')}`,
    );
  }
  const renderer = await DryRunRenderer.start({
    awsEndpoint: args['aws-endpoint'],
    awsAccountId:
      values.awsAccountId === undefined
        ? undefined
        : String(values.awsAccountId),
  });
  try {
    const result = await renderWith(renderer, templateDirectory, values);
    await writeFiles(path.resolve(args.out), result);
    const recordFile = await writeRenderRecord(
      args.out,
      await renderRecordOf(result, values, templateDir),
    );
    for (const line of result.log.filter(l => l.includes('[dry run]'))) {
      console.log(line);
    }
    console.log(
      `rendered ${result.files.length} files into ${args.out}; the steps that ran are in ${recordFile}`,
    );
  } finally {
    await renderer.stop();
  }
}

if (require.main === module) {
  // The in-process backend leaves timers behind after stop(), so exit explicitly.
  main().then(
    () => process.exit(0),
    error => {
      console.error(
        error instanceof InvalidValuesError ? error.message : error,
      );
      process.exit(error instanceof InvalidValuesError ? 2 : 1);
    },
  );
}
