import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exec, mustSucceed } from './exec';
import { terraformApplyChecks } from './terraformApply';
import { Check, SkipCheck } from './types';

const PROVIDER_PATH = path.join('registry.terraform.io', 'hashicorp', 'aws');

/**
 * The filesystem mirror that holds hashicorp/aws, if this machine has one:
 * the directory containing `registry.terraform.io/hashicorp/aws`. Looked up
 * at run time (TF_PLUGIN_MIRROR first), never hard-coded.
 */
export async function findProviderMirror(): Promise<string | undefined> {
  const explicit = process.env.TF_PLUGIN_MIRROR;
  if (explicit && existsSync(path.join(explicit, PROVIDER_PATH))) {
    return explicit;
  }
  const { output } = await exec(
    'find',
    [
      '/',
      '-maxdepth',
      '6',
      '-type',
      'd',
      '-path',
      `*/${PROVIDER_PATH}`,
      '-not',
      '-path',
      '/proc/*',
    ],
    { timeoutMs: 30_000 },
  );
  const hit = output.split('\n').find(line => line.endsWith(PROVIDER_PATH));
  return hit ? hit.slice(0, -PROVIDER_PATH.length - 1) : undefined;
}

async function listEnvironments(repoDir: string): Promise<string[]> {
  const envsDir = path.join(repoDir, 'terraform', 'envs');
  const entries = await fs.readdir(envsDir, { withFileTypes: true });
  return entries
    .filter(e => e.isDirectory())
    .map(e => e.name)
    .sort();
}

/** Keys a `.s3.tfbackend` must set for `backend "s3" { use_lockfile = true }`. */
async function checkBackendFile(envDir: string, env: string) {
  const file = path.join(envDir, `${env}.s3.tfbackend`);
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new Error(`missing ${path.basename(file)}`);
  });
  for (const key of ['bucket', 'key', 'region', 'use_lockfile']) {
    if (!new RegExp(`^\\s*${key}\\s*=\\s*\\S+`, 'm').test(text)) {
      throw new Error(`${path.basename(file)} does not set ${key}`);
    }
  }
  const backend = await fs
    .readFile(path.join(envDir, 'backend.tf'), 'utf8')
    .catch(() => '');
  if (!/backend\s+"s3"/.test(backend)) {
    throw new Error('backend.tf does not declare backend "s3"');
  }
}

let mirrorLookup: Promise<string | undefined> | undefined;

async function terraformSetup(repoDir: string) {
  const environments = await listEnvironments(repoDir);
  // One look-up for both groups of a run (it may walk the filesystem).
  mirrorLookup ??= findProviderMirror();
  const mirror = await mirrorLookup;
  // An empty CLI configuration, so the machine's own (or a missing one it
  // names) cannot change what init does; one file shared by every run.
  const cliConfig = path.join(os.tmpdir(), 'ml-service-verify.terraformrc');
  await fs.writeFile(cliConfig, '');
  const env = {
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
  };
  return { environments, mirror, env };
}

export async function terraformChecks(
  repoDir: string,
  options: { slow: boolean },
): Promise<Check[]> {
  const terraformDir = path.join(repoDir, 'terraform');
  const { environments, mirror, env } = await terraformSetup(repoDir);

  const checks: Check[] = [
    {
      name: 'terraform fmt',
      run: () =>
        mustSucceed('terraform', ['fmt', '-check', '-recursive', '-diff'], {
          cwd: terraformDir,
          env,
        }).then(() => undefined),
    },
  ];
  for (const environment of environments) {
    const envDir = path.join(terraformDir, 'envs', environment);
    checks.push(
      {
        name: `terraform backend config (${environment})`,
        run: () => checkBackendFile(envDir, environment),
      },
      {
        name: `terraform init (${environment})`,
        run: async () => {
          const pluginArgs = mirror ? [`-plugin-dir=${mirror}`] : [];
          const result = await exec(
            'terraform',
            ['init', '-backend=false', '-input=false', ...pluginArgs],
            { cwd: envDir, env },
          );
          if (result.code !== 0) {
            if (!mirror) {
              throw new SkipCheck(
                'no local provider mirror and the registry is unreachable: terraform init could not run (validate and test are skipped too)',
              );
            }
            throw new Error(
              result.output.trim().split('\n').slice(-20).join('\n'),
            );
          }
        },
      },
      {
        name: `terraform validate (${environment})`,
        run: async () => {
          if (!existsSync(path.join(envDir, '.terraform'))) {
            throw new SkipCheck('terraform init did not run');
          }
          await mustSucceed('terraform', ['validate', '-no-color'], {
            cwd: envDir,
            env,
          });
        },
      },
    );
    if (options.slow) {
      checks.push({
        name: `terraform test (${environment})`,
        run: async () => {
          if (!existsSync(path.join(envDir, '.terraform'))) {
            throw new SkipCheck('terraform init did not run');
          }
          const output = await mustSucceed('terraform', ['test', '-no-color'], {
            cwd: envDir,
            env,
            timeoutMs: 900_000,
          });
          if (
            !/(\d+) passed, 0 failed/.test(output) ||
            /0 passed, 0 failed/.test(output)
          ) {
            throw new Error(
              `terraform test ran no passing test:\n${output.slice(-600)}`,
            );
          }
        },
      });
    }
  }
  return checks;
}

/** The slow `terraform apply` of every root against moto: a group of its own, beside validate and test. */
export async function terraformApplyGroup(repoDir: string): Promise<Check[]> {
  const { environments, mirror, env } = await terraformSetup(repoDir);
  return applyChecks(repoDir, environments, mirror, env);
}

/**
 * `terraform apply` of every root against moto, as many at once as the
 * machine has CPUs (MLOPS_VERIFY_APPLY_CONCURRENCY overrides); most of an
 * apply is waiting on the provider's polls. MLOPS_VERIFY_APPLY_ALL=1
 * ignores the skip list (to re-check it after a moto upgrade).
 */
function applyChecks(
  repoDir: string,
  environments: string[],
  mirror: string | undefined,
  env: NodeJS.ProcessEnv,
): Check[] {
  if (!mirror) {
    return environments.map(environment => ({
      name: `terraform apply against moto (${environment})`,
      run: async () => {
        throw new SkipCheck(
          'no local provider mirror (TF_PLUGIN_MIRROR): the apply against moto runs only with one',
        );
      },
    }));
  }
  const concurrency = Number(
    process.env.MLOPS_VERIFY_APPLY_CONCURRENCY ?? os.availableParallelism(),
  );
  return terraformApplyChecks(repoDir, environments, {
    mirror,
    env,
    concurrency:
      Number.isInteger(concurrency) && concurrency > 0 ? concurrency : 1,
    applyAll: process.env.MLOPS_VERIFY_APPLY_ALL === '1',
  });
}
