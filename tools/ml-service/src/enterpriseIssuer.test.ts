/*
 * An enterprise that has turned on its unique OIDC issuer URL, from Backstage to Terraform, against moto:
 * mlops:github-oidc:ensure (mlops.github.enterpriseSlug) makes the provider of the enterprise's issuer and
 * the CI roles; the plan jobs' step (.github/scripts/oidc_subject_prefix.sh of the generated repository)
 * reads a token of that issuer and writes GITHUB_ENV; with what it wrote, the generated environment root,
 * applied against moto, makes the deploy role trusted through that same provider, although the account
 * also holds the shared issuer's.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  GetRoleCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createGithubOidcEnsureAction } from '@eks-mlops/backstage-plugin-mlops-backend';
import { MOTO_CREDENTIALS, startMotoServer } from '@internal/moto-server';
import { DRY_RUN_GITHUB_CONFIG, DryRunRenderer } from './DryRunRenderer';
import { seedPlatformPolicies } from './platformPolicies';
import { DEFAULT_TEMPLATE_DIR, renderWith, writeFiles } from './render';
import { readTemplateDirectory } from './templateDirectory';
import { readValuesFile } from './values';
import { exec } from './verify/exec';
import { jsonStandIn, unsignedToken } from './verify/skeletonScripts';
import { findProviderMirror } from './verify/terraform';
import {
  applyEnvironment,
  readRootSettings,
  readScalars,
  verdict,
} from './verify/terraformApply';

jest.setTimeout(15 * 60_000);

/** fraud-score: one environment (prod) on an existing cluster, the quickest root to apply. */
const VALUES_FILE = path.resolve(
  __dirname,
  '../../../examples/values/classification-existing-eu-prod.yaml',
);
const ENVIRONMENT = 'prod';
const ISSUER = 'token.actions.githubusercontent.com/acme-corp';
const SHARED_ISSUER = 'token.actions.githubusercontent.com';
/** What GitHub mints for a repository created since its immutable subject claims. */
const SUBJECT_PREFIX = 'repo:acme@1234567/fraud-score@7654321';

/** A plan job's token (default branch). */
const planJobToken = () =>
  unsignedToken({
    iss: `https://${ISSUER}`,
    aud: 'sts.amazonaws.com',
    sub: `${SUBJECT_PREFIX}:ref:refs/heads/trunk`,
  });

/** The variables the plan job's OIDC step writes to GITHUB_ENV, run as GitHub runs it. */
async function planJobEnvironment(
  repoDir: string,
  workDir: string,
): Promise<Record<string, string>> {
  const endpoint = await jsonStandIn(200, { value: planJobToken() });
  const githubEnv = path.join(workDir, 'github_env');
  try {
    await fs.writeFile(githubEnv, '');
    const run = await exec(
      'bash',
      [path.join(repoDir, '.github/scripts/oidc_subject_prefix.sh')],
      {
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint.url}/_apis/token?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'job-request-token',
          GITHUB_ENV: githubEnv,
          GITHUB_REPOSITORY: 'acme/fraud-score',
        },
      },
    );
    if (run.code !== 0) {
      throw new Error(`the OIDC step failed:\n${run.output}`);
    }
  } finally {
    await endpoint.close();
  }
  const lines = (await fs.readFile(githubEnv, 'utf8')).trim().split('\n');
  return Object.fromEntries(
    lines.map(line => [
      line.slice(0, line.indexOf('=')),
      line.slice(line.indexOf('=') + 1),
    ]),
  );
}

async function trustOf(iam: IAMClient, roleName: string) {
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const [statement] = JSON.parse(
    decodeURIComponent(Role!.AssumeRolePolicyDocument!),
  ).Statement;
  return {
    provider: statement.Principal.Federated,
    condition: statement.Condition.StringEquals,
  };
}

describe("an enterprise's unique OIDC issuer, from mlops:github-oidc:ensure to the generated root's deploy role", () => {
  let workDir: string;
  let repoDir: string;
  let moto: Awaited<ReturnType<typeof startMotoServer>>;
  let iam: IAMClient;
  let accountId: string;
  let githubEnv: Record<string, string>;

  beforeAll(async () => {
    const mirror = await findProviderMirror();
    if (!mirror) {
      throw new Error(
        'no Terraform provider mirror with hashicorp/aws (set TF_PLUGIN_MIRROR): this test applies a generated root',
      );
    }
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ml-service-issuer-'));
    repoDir = path.join(workDir, 'repo');
    const values = await readValuesFile(VALUES_FILE);
    accountId = String(values.awsAccountId);
    const renderer = await DryRunRenderer.start();
    try {
      await writeFiles(
        repoDir,
        await renderWith(
          renderer,
          await readTemplateDirectory(DEFAULT_TEMPLATE_DIR),
          values,
        ),
      );
    } finally {
      await renderer.stop();
    }

    moto = await startMotoServer({ awsManagedPolicies: true, accountId });
    iam = new IAMClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: MOTO_CREDENTIALS,
    });
    await seedPlatformPolicies(moto.endpoint, { accountId });

    const envDir = path.join(repoDir, 'terraform', 'envs', ENVIRONMENT);
    const root = await readRootSettings(envDir, ENVIRONMENT);
    const stateKey = readScalars(
      await fs.readFile(
        path.join(envDir, `${ENVIRONMENT}.s3.tfbackend`),
        'utf8',
      ),
    ).get('key') as string;
    const action = createGithubOidcEnsureAction({
      config: new ConfigReader({
        aws: { accounts: [{ accountId, ...MOTO_CREDENTIALS }] },
        mlops: {
          aws: { endpoint: moto.endpoint },
          github: { ...DRY_RUN_GITHUB_CONFIG, enterpriseSlug: 'acme-corp' },
        },
      }),
    });
    await action.handler(
      createMockActionContext({
        input: {
          githubOwner: 'acme',
          githubRepo: 'fraud-score',
          subjectPrefix: SUBJECT_PREFIX,
          environments: [ENVIRONMENT],
          defaultBranch: 'trunk',
          namePrefix: 'fraud-score',
          region: root.region,
          accountId,
          stateBucket: root.stateBucket,
          stateKeyPrefix: stateKey.slice(
            0,
            stateKey.indexOf(`/${ENVIRONMENT}/`),
          ),
          stateRegion: root.stateRegion,
        },
      }),
    );

    githubEnv = await planJobEnvironment(repoDir, workDir);
    const cliConfig = path.join(workDir, 'terraform.tfrc');
    await fs.writeFile(cliConfig, '');
    verdict(
      await applyEnvironment(repoDir, ENVIRONMENT, moto.endpoint, {
        mirror,
        env: {
          TF_CLI_CONFIG_FILE: cliConfig,
          CHECKPOINT_DISABLE: '1',
          ...githubEnv,
        },
      }),
    );
  });

  afterAll(async () => {
    await moto?.stop();
    if (workDir) {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  });

  it("hands Terraform the issuer and subject prefix of the job's own token", () => {
    expect(githubEnv).toEqual({
      TF_VAR_github_subject_prefix: SUBJECT_PREFIX,
      TF_VAR_github_oidc_issuer: ISSUER,
    });
  });

  it("trusts the deploy role through the provider Backstage made for the enterprise's issuer, not the shared one", async () => {
    const providers = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(providers.OpenIDConnectProviderList?.map(p => p.Arn).sort()).toEqual(
      [
        `arn:aws:iam::${accountId}:oidc-provider/${SHARED_ISSUER}`,
        `arn:aws:iam::${accountId}:oidc-provider/${ISSUER}`,
      ],
    );

    const terraformRole = await trustOf(iam, 'fraud-score-prod-ci-terraform');
    const deployRole = await trustOf(iam, 'fraud-score-prod-github-deploy');

    expect(terraformRole.provider).toBe(
      `arn:aws:iam::${accountId}:oidc-provider/${ISSUER}`,
    );
    expect(deployRole).toEqual({
      provider: terraformRole.provider,
      condition: {
        [`${ISSUER}:aud`]: 'sts.amazonaws.com',
        [`${ISSUER}:sub`]: [`${SUBJECT_PREFIX}:environment:${ENVIRONMENT}`],
      },
    });
    expect(terraformRole.condition).toEqual({
      [`${ISSUER}:aud`]: 'sts.amazonaws.com',
      [`${ISSUER}:sub`]: `${SUBJECT_PREFIX}:environment:${ENVIRONMENT}`,
    });
  });
});
