import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateRepositoryCommand,
  ECRClient,
  RepositoryAlreadyExistsException,
} from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  EKSClient,
  ResourceInUseException,
} from '@aws-sdk/client-eks';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  EntityAlreadyExistsException,
  IAMClient,
} from '@aws-sdk/client-iam';
import yaml from 'yaml';
import { MOTO_CREDENTIALS, startMotoServer } from '@internal/moto-server';
import { motoTrouble, sdkRetries } from './applyDiagnostics';
import { actionsOutsideBoundaries, boundaryProblem } from './boundaryCoverage';
import { seedPlatformPolicies } from '../platformPolicies';
import { exec } from './exec';
import {
  ApplyCounts,
  ApplySelection,
  backendOverride,
  countInstances,
  declaredTypes,
  endpointServices,
  formatCounts,
  parseGraph,
  providerOverride,
  readStream,
  selectSkipped,
  targetsOf,
} from './terraformApplyPlan';
import { MOTO_SKIPPED_TYPES, skipKeyOf } from './terraformApplySkipList';
import { Check } from './types';

/** What an environment root's terraform.tfvars and <env>.s3.tfbackend say about the AWS objects it expects. */
export interface RootSettings {
  accountId: string;
  region: string;
  stateBucket: string;
  stateRegion: string;
  /** Set when the root reads an existing cluster (create_cluster = false). */
  existingClusterName?: string;
  /** Set when the root reads the ECR repository the template created (manage_ecr_repository = false). */
  ecrRepositoryName?: string;
  permissionsBoundaryArn?: string;
  /** Backstage's role, which a root creating a cluster reads when it is in the root's account. */
  backstageRole?: { name: string; path: string };
}

type Scalar = string | boolean | null;

/** The `key = "string" | true | false | null` lines of a .tfvars or .tfbackend file. */
export function readScalars(text: string): Map<string, Scalar> {
  const values = new Map<string, Scalar>();
  for (const match of text.matchAll(
    /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|true|false|null)\s*(?:#.*)?$/gm,
  )) {
    const raw = match[2];
    let value: Scalar = raw === 'true';
    if (raw.startsWith('"')) {
      value = JSON.parse(raw);
    } else if (raw === 'null') {
      value = null;
    }
    values.set(match[1], value);
  }
  return values;
}

export async function readRootSettings(
  envDir: string,
  environment: string,
): Promise<RootSettings> {
  const tfvarsFile = path.join(envDir, 'terraform.tfvars');
  const backendFile = path.join(envDir, `${environment}.s3.tfbackend`);
  const tfvars = readScalars(await fs.readFile(tfvarsFile, 'utf8'));
  const backend = readScalars(await fs.readFile(backendFile, 'utf8'));
  const need = (values: Map<string, Scalar>, key: string, file: string) => {
    const value = values.get(key);
    if (typeof value !== 'string' || value === '') {
      throw new Error(
        `${path.basename(
          file,
        )} of ${environment} sets no string ${key}; the apply against moto needs it`,
      );
    }
    return value;
  };
  const boundary = tfvars.get('permissions_boundary_arn');
  const accountId = need(tfvars, 'aws_account_id', tfvarsFile);
  return {
    accountId,
    region: need(tfvars, 'aws_region', tfvarsFile),
    stateBucket: need(backend, 'bucket', backendFile),
    stateRegion: need(backend, 'region', backendFile),
    existingClusterName:
      tfvars.get('create_cluster') === false
        ? need(tfvars, 'existing_cluster_name', tfvarsFile)
        : undefined,
    ecrRepositoryName:
      tfvars.get('manage_ecr_repository') === true
        ? undefined
        : need(tfvars, 'ecr_repository_name', tfvarsFile),
    permissionsBoundaryArn: typeof boundary === 'string' ? boundary : undefined,
    backstageRole:
      tfvars.get('create_cluster') === false
        ? undefined
        : roleInAccount(tfvars.get('backstage_role_arn'), accountId),
  };
}

/** The name and path of a role ARN in `accountId`; undefined for anything else. */
function roleInAccount(
  arn: Scalar | undefined,
  accountId: string,
): { name: string; path: string } | undefined {
  const match =
    typeof arn === 'string' &&
    /^arn:aws[a-z-]*:iam::(\d{12}):role(\/(?:[^/]+\/)*)([^/]+)$/.exec(arn);
  if (!match || match[1] !== accountId) return undefined;
  return { path: match[2], name: match[3] };
}

const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';

/**
 * The OIDC subject prefix a root's plan needs (`github_subject_prefix`, which the workflows read from
 * their own token with .github/scripts/oidc_subject_prefix.sh): that of the repository catalog-info.yaml
 * names (github.com/project-slug), in the immutable form GitHub mints for repositories created since
 * mid-2026, with made-up owner and repository IDs.
 */
export async function standInSubjectPrefix(repoDir: string): Promise<string> {
  const file = path.join(repoDir, 'catalog-info.yaml');
  const slug = yaml
    .parseAllDocuments(await fs.readFile(file, 'utf8'))
    .map(
      document =>
        document.toJS()?.metadata?.annotations?.['github.com/project-slug'],
    )
    .find((value): value is string => typeof value === 'string');
  const [owner, repo] = slug?.split('/') ?? [];
  if (!owner || !repo) {
    throw new Error(
      "catalog-info.yaml names no repository (annotation github.com/project-slug: <owner>/<repo>); the apply against moto needs it for the deploy role's OIDC subject",
    );
  }
  return `repo:${owner}@1234567/${repo}@7654321`;
}

function ignoring(...kinds: Array<new (...args: any[]) => Error>) {
  return (error: unknown) => {
    if (!kinds.some(kind => error instanceof kind)) {
      throw error;
    }
  };
}

/**
 * Creates in moto what exists before a root's first apply: its state bucket
 * (mlops:tfstate:ensure), the ECR repository it reads (mlops:ecr:ensure), the
 * account's GitHub OIDC provider (mlops:github-oidc:ensure), the platform's
 * policies, Backstage's role (the platform's) and, in existing-cluster mode,
 * the shared cluster. Idempotent.
 */
export async function seedRoot(endpoint: string, root: RootSettings) {
  const common = { endpoint, credentials: MOTO_CREDENTIALS };
  const s3 = new S3Client({
    ...common,
    region: root.stateRegion,
    forcePathStyle: true,
  });
  const ecr = new ECRClient({ ...common, region: root.region });
  const eks = new EKSClient({ ...common, region: root.region });
  const iam = new IAMClient({ ...common, region: 'us-east-1' });
  try {
    await s3
      .send(
        new CreateBucketCommand({
          Bucket: root.stateBucket,
          ...(root.stateRegion !== 'us-east-1' && {
            CreateBucketConfiguration: {
              LocationConstraint: root.stateRegion as never,
            },
          }),
        }),
      )
      .catch(ignoring(BucketAlreadyOwnedByYou));
    if (root.ecrRepositoryName) {
      await ecr
        .send(
          new CreateRepositoryCommand({
            repositoryName: root.ecrRepositoryName,
          }),
        )
        .catch(ignoring(RepositoryAlreadyExistsException));
    }
    await iam
      .send(
        new CreateOpenIDConnectProviderCommand({
          Url: GITHUB_OIDC_URL,
          ClientIDList: ['sts.amazonaws.com'],
        }),
      )
      .catch(ignoring(EntityAlreadyExistsException));
    if (root.permissionsBoundaryArn) {
      await seedPlatformPolicies(endpoint, { accountId: root.accountId });
    }
    if (root.backstageRole) {
      await iam
        .send(
          new CreateRoleCommand({
            RoleName: root.backstageRole.name,
            Path: root.backstageRole.path,
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: 'ec2.amazonaws.com' },
                  Action: 'sts:AssumeRole',
                },
              ],
            }),
          }),
        )
        .catch(ignoring(EntityAlreadyExistsException));
    }
    if (root.existingClusterName) {
      await eks
        .send(
          new CreateClusterCommand({
            name: root.existingClusterName,
            roleArn: `arn:aws:iam::${root.accountId}:role/${root.existingClusterName}-cluster`,
            resourcesVpcConfig: {
              subnetIds: [
                'subnet-0a1b2c3d4e5f60001',
                'subnet-0a1b2c3d4e5f60002',
              ],
            },
          }),
        )
        .catch(ignoring(ResourceInUseException));
    }
  } finally {
    for (const client of [s3, ecr, eks, iam]) {
      client.destroy();
    }
  }
}

/** Copies `terraform/` without what `terraform init` left in the generated repository. */
async function copyTerraformTree(repoDir: string, into: string) {
  await fs.cp(path.join(repoDir, 'terraform'), into, {
    recursive: true,
    filter: source =>
      !['.terraform', '.terraform.lock.hcl'].includes(path.basename(source)) &&
      !source.endsWith('.tfstate'),
  });
}

async function terraformSources(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, {
    recursive: true,
    withFileTypes: true,
  });
  return Promise.all(
    entries
      .filter(e => e.isFile() && e.name.endsWith('.tf'))
      .map(e => fs.readFile(path.join(e.parentPath, e.name), 'utf8')),
  );
}

export interface ApplyOptions {
  /** Directory holding `registry.terraform.io/hashicorp/aws`. */
  mirror: string;
  /** Environment for every terraform run (CLI config and the like). */
  env: NodeJS.ProcessEnv;
  /** `-parallelism` of plan and apply. */
  parallelism?: number;
  /** Ignore the skip list (to re-check it after a moto upgrade). */
  applyAll?: boolean;
}

export interface EnvironmentApply {
  environment: string;
  counts: ApplyCounts;
  selection: ApplySelection;
  /** Errors of resources outside the skip list: the check fails on any. */
  errors: Array<{ address?: string; message: string }>;
  ms: number;
  /** The state object written to moto's S3. */
  stateKey: string;
  /** What the logs show that may explain the errors (see `applyDiagnostics.ts`). */
  diagnostics: string[];
}

function lastLines(text: string, count = 20): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/**
 * `terraform init`, `plan` and `apply` of one environment root, copied to a
 * temporary directory with an override file pointing the AWS provider (and a
 * backend config pointing the S3 backend) at moto. Applies every managed
 * resource but the skip-listed types and what depends on them.
 */
export async function applyEnvironment(
  repoDir: string,
  environment: string,
  endpoint: string,
  options: ApplyOptions,
): Promise<EnvironmentApply> {
  const start = performance.now();
  const workDir = await fs.mkdtemp(
    path.join(os.tmpdir(), `ml-service-apply-${environment}-`),
  );
  try {
    const treeDir = path.join(workDir, 'terraform');
    await copyTerraformTree(repoDir, treeDir);
    const envDir = path.join(treeDir, 'envs', environment);
    const root = await readRootSettings(envDir, environment);
    await seedRoot(endpoint, root);

    const services = endpointServices(
      declaredTypes(await terraformSources(treeDir)),
    );
    await fs.writeFile(
      path.join(envDir, 'moto_override.tf'),
      providerOverride(endpoint, services, MOTO_CREDENTIALS),
    );
    await fs.writeFile(
      path.join(workDir, 'moto.s3.tfbackend'),
      backendOverride(endpoint, MOTO_CREDENTIALS),
    );
    const env = {
      // What the plan jobs write to GITHUB_ENV from their OIDC token.
      TF_VAR_github_subject_prefix: await standInSubjectPrefix(repoDir),
      ...options.env,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: path.join(workDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-aws-credentials'),
    };
    const terraform = async (
      args: string[],
      timeoutMs = 300_000,
      extraEnv: NodeJS.ProcessEnv = {},
    ) =>
      exec('terraform', args, {
        cwd: envDir,
        env: { ...env, ...extraEnv },
        timeoutMs,
      });
    const must = async (args: string[], timeoutMs?: number) => {
      const result = await terraform(args, timeoutMs);
      if (result.code !== 0) {
        throw new Error(
          `terraform ${args[0]} (${environment}) exited with ${
            result.code
          }:\n${lastLines(result.output)}`,
        );
      }
      return result.output;
    };

    await must([
      'init',
      '-input=false',
      '-no-color',
      `-plugin-dir=${options.mirror}`,
      `-backend-config=${environment}.s3.tfbackend`,
      `-backend-config=${path.join(workDir, 'moto.s3.tfbackend')}`,
    ]);
    const skipList = options.applyAll ? {} : MOTO_SKIPPED_TYPES;
    const selection = selectSkipped(
      parseGraph(await must(['graph'])),
      skipList,
    );
    const parallelism = `-parallelism=${options.parallelism ?? 20}`;
    const plan = await terraform(
      ['plan', '-input=false', '-json', '-lock=false', parallelism],
      300_000,
    );
    const planned = readStream(plan.output);
    if (plan.code !== 0) {
      throw new Error(
        `terraform plan (${environment}) against moto failed:\n${
          planned.errors
            .map(e => `${e.address ?? ''} ${e.message}`)
            .join('\n') || lastLines(plan.output)
        }`,
      );
    }
    // The provider's log says which calls its AWS SDK retried, the one
    // thing moto's log cannot tell when an apply fails on its own resource.
    const providerLog = path.join(workDir, 'provider.log');
    const apply = await terraform(
      [
        'apply',
        '-auto-approve',
        '-input=false',
        '-json',
        parallelism,
        ...targetsOf(planned.plannedCreates, selection).map(
          target => `-target=${target}`,
        ),
      ],
      900_000,
      { TF_LOG_PROVIDER: 'DEBUG', TF_LOG_PATH: providerLog },
    );
    const applied = readStream(apply.output);
    const errors = applied.errors.filter(
      e => !(e.address && skipKeyOf(e.address) in skipList),
    );
    if (apply.code !== 0 && errors.length === 0) {
      errors.push({ message: lastLines(apply.output) });
    }
    const counts = countInstances(
      planned.plannedCreates,
      applied.created,
      selection,
    );
    if (errors.length === 0) {
      const boundary = boundaryProblem(
        await actionsOutsideBoundaries(endpoint),
      );
      if (boundary) errors.push({ message: boundary });
    }
    const stateKey = readScalars(
      await fs.readFile(
        path.join(envDir, `${environment}.s3.tfbackend`),
        'utf8',
      ),
    ).get('key') as string;
    const diagnostics =
      errors.length > 0
        ? [sdkRetries(await fs.readFile(providerLog, 'utf8').catch(() => ''))]
        : [];
    return {
      environment,
      counts,
      selection,
      errors,
      ms: performance.now() - start,
      stateKey,
      diagnostics,
    };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

/** The check's verdict on one root: throws with every error, else the report line. */
export function verdict(result: EnvironmentApply): string {
  const { counts, errors } = result;
  const problems = [
    ...errors.map(e => (e.address ? `${e.address}: ${e.message}` : e.message)),
    ...(errors.length === 0 && counts.missing.length > 0
      ? [
          `planned but neither created nor skipped: ${counts.missing.join(
            ', ',
          )}`,
        ]
      : []),
  ];
  if (problems.length > 0) {
    throw new Error(
      `${problems.join('\n')}\n(${formatCounts(
        counts,
        result.ms,
      )}; a type moto cannot create belongs in tools/ml-service/src/verify/terraformApplySkipList.ts, with the verified reason)${result.diagnostics
        .map(text => `\n${text}`)
        .join('')}`,
    );
  }
  return formatCounts(counts, result.ms);
}

/** Reads the environment roots' settings and checks they share one AWS account (one moto serves them). */
async function accountOf(
  repoDir: string,
  environments: string[],
): Promise<string> {
  const accounts = new Set<string>();
  for (const environment of environments) {
    const root = await readRootSettings(
      path.join(repoDir, 'terraform', 'envs', environment),
      environment,
    );
    accounts.add(root.accountId);
  }
  if (accounts.size !== 1) {
    throw new Error(
      `the environment roots name ${accounts.size} AWS accounts (${[
        ...accounts,
      ].join(', ')}); the apply against moto serves one`,
    );
  }
  return [...accounts][0];
}

/** A check with a one-line report of what it did, shown under its PASS line. */
export interface ReportingCheck extends Check {
  report?: string;
}

/** Runs at most `concurrency` of the tasks given to it at once. */
function limiter(concurrency: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) {
      await new Promise<void>(resolve => waiting.push(resolve));
    }
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/**
 * One check per environment root: `terraform apply` against a moto server of
 * its own (moto draws one EKS OIDC issuer and API host per process, so two
 * clusters in one moto would collide on their IAM OIDC provider), started
 * and stopped around the root. All roots start with the first check, up to
 * `concurrency` at once; each check reports its own.
 */
export function terraformApplyChecks(
  repoDir: string,
  environments: string[],
  options: ApplyOptions & { concurrency?: number },
): ReportingCheck[] {
  let results: Map<string, Promise<EnvironmentApply>> | undefined;

  const startAll = () => {
    const account = accountOf(repoDir, environments);
    const limited = limiter(Math.max(1, options.concurrency ?? 1));
    const map = new Map<string, Promise<EnvironmentApply>>();
    for (const environment of environments) {
      const result = limited(async () => {
        const moto = await startMotoServer({
          awsManagedPolicies: true,
          accountId: await account,
        });
        try {
          const applied = await applyEnvironment(
            repoDir,
            environment,
            moto.endpoint,
            options,
          );
          if (applied.errors.length === 0) return applied;
          const diagnostics = [...applied.diagnostics, motoTrouble(moto.log())];
          return { ...applied, diagnostics };
        } catch (error) {
          throw new Error(
            `${(error as Error).message}\n${motoTrouble(moto.log())}`,
          );
        } finally {
          await moto.stop();
        }
      });
      // Its own check reports the failure; until then it is not unhandled.
      result.catch(() => undefined);
      map.set(environment, result);
    }
    return map;
  };

  return environments.map(environment => {
    const check: ReportingCheck = {
      name: `terraform apply against moto (${environment})`,
      run: async () => {
        results ??= startAll();
        check.report = verdict(await results.get(environment)!);
      },
    };
    return check;
  });
}
