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

/**
 * What is wrong with a `.s3.tfbackend` for `backend "s3" { use_lockfile = true }`: a key it must
 * set is missing, or it sets `encrypt = true` without `kms_key_id`. Terraform then sends
 * `x-amz-server-side-encryption: AES256` with every state write, which overrides the state bucket's
 * default SSE-KMS (mlops:tfstate:ensure) and fails where the bucket policy requires KMS.
 */
export function backendFileProblems(text: string): string[] {
  const problems: string[] = [];
  for (const key of ['bucket', 'key', 'region', 'use_lockfile']) {
    if (!new RegExp(`^\\s*${key}\\s*=\\s*\\S+`, 'm').test(text)) {
      problems.push(`does not set ${key}`);
    }
  }
  if (
    /^\s*encrypt\s*=\s*true\b/m.test(text) &&
    !/^\s*kms_key_id\s*=\s*\S+/m.test(text)
  ) {
    problems.push(
      'sets encrypt = true without kms_key_id: Terraform would write the state with SSE-S3 (AES256), ' +
        "overriding the bucket's default SSE-KMS; leave encrypt out, or name the bucket's key in kms_key_id",
    );
  }
  return problems;
}

async function checkBackendFile(envDir: string, env: string) {
  const file = path.join(envDir, `${env}.s3.tfbackend`);
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new Error(`missing ${path.basename(file)}`);
  });
  const problems = backendFileProblems(text);
  if (problems.length > 0) {
    throw new Error(
      problems.map(p => `${path.basename(file)} ${p}`).join('\n'),
    );
  }
  const backend = await fs
    .readFile(path.join(envDir, 'backend.tf'), 'utf8')
    .catch(() => '');
  if (!/backend\s+"s3"/.test(backend)) {
    throw new Error('backend.tf does not declare backend "s3"');
  }
}

/**
 * `aws_eks_access_entry` resources of an environment root that name Backstage's role. EKS allows
 * one access entry per principal and cluster, so on a shared cluster Backstage's entry is the
 * platform's, made once; an entry per environment root (or service) collides. A cluster the root
 * creates gets Backstage's entry through its eks module, which this does not look at.
 */
export function backstageAccessEntryProblems(mainTf: string): string[] {
  const problems: string[] = [];
  for (const match of mainTf.matchAll(
    /^resource\s+"aws_eks_access_entry"\s+"([^"]+)"/gm,
  )) {
    // The block runs to its closing brace, the next line that starts in column 0.
    const rest = mainTf.slice(match.index! + match[0].length);
    const end = rest.search(/^\S/m);
    const block = end < 0 ? rest : rest.slice(0, end);
    if (/backstage/i.test(block.replace(/^\s*#.*$/gm, ''))) {
      problems.push(
        `aws_eks_access_entry.${match[1]} gives Backstage's role an access entry on a cluster this root ` +
          "does not create: EKS allows one per principal and cluster, so it is the platform's, once per cluster",
      );
    }
  }
  return problems;
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
        name: `no Backstage access entry on a shared cluster (${environment})`,
        run: async () => {
          const problems = backstageAccessEntryProblems(
            await fs.readFile(path.join(envDir, 'main.tf'), 'utf8'),
          );
          if (problems.length > 0) {
            throw new Error(problems.join('\n'));
          }
        },
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
