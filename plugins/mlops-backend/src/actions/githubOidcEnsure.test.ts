import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteRolePermissionsBoundaryCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CallRecorder,
  runAction,
  withoutAwsCredentials,
} from '../__testUtils__/actionHarness';
import {
  iamClient,
  iamSnapshot,
  motoGithubConfig,
  PLATFORM_GITHUB_CONFIG,
  seedPlatformPolicies,
  startIamMoto,
} from '../__testUtils__/iamMoto';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import { retryWhileInvalidPrincipal } from '../aws/ciRoles';
import { MotoServer } from '@internal/moto-server';
import {
  createGithubOidcEnsureAction,
  githubOidcEnsureAction,
} from './githubOidcEnsure';

jest.setTimeout(60_000);

const ACCOUNT = '123456789012';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/ml-ci-boundary`;
const TERRAFORM_POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/ml-ci-terraform`;
const READ_ONLY_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

const input = {
  githubOwner: 'acme',
  githubRepo: 'churn-model',
  environments: ['dev', 'prod'],
  defaultBranch: 'main',
  namePrefix: 'churn-model',
  region: 'eu-west-1',
  accountId: ACCOUNT,
  stateBucket: 'churn-model-tfstate-123456789012',
  stateKeyPrefix: 'churn-model',
  tags: { team: 'ml' },
};

function trust(subject: string | string[]) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GithubActionsOidc',
        Effect: 'Allow',
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': subject,
          },
        },
      },
    ],
  };
}

const BRANCH_SUBJECTS = [
  'repo:acme/churn-model:pull_request',
  'repo:acme/churn-model:ref:refs/heads/main',
];

describe('mlops:github-oidc:ensure against moto', () => {
  let moto: MotoServer;
  const recorder = new CallRecorder();
  const iam = () => iamClient(moto.endpoint);
  /** The account's provider for the shared github.com issuer. */
  const sharedProvider = () =>
    iam().send(
      new GetOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: PROVIDER_ARN,
      }),
    );
  const actionWith = (github: Record<string, unknown> | null) => {
    const config = motoGithubConfig(moto.endpoint, github);
    return githubOidcEnsureAction(
      AwsClientFactory.fromConfig(config, recorder.observer),
      config,
    );
  };
  let action: ReturnType<typeof githubOidcEnsureAction>;

  beforeAll(async () => {
    moto = await startIamMoto();
    action = actionWith(PLATFORM_GITHUB_CONFIG);
  });
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await seedPlatformPolicies(moto.endpoint);
    recorder.clear();
  });

  async function readRole(RoleName: string) {
    const client = iam();
    const { Role } = await client.send(new GetRoleCommand({ RoleName }));
    const attached = await client.send(
      new ListAttachedRolePoliciesCommand({ RoleName }),
    );
    const inlineNames = await client.send(
      new ListRolePoliciesCommand({ RoleName }),
    );
    const inline = Object.fromEntries(
      await Promise.all(
        (inlineNames.PolicyNames ?? []).map(async PolicyName => {
          const { PolicyDocument } = await client.send(
            new GetRolePolicyCommand({ RoleName, PolicyName }),
          );
          return [PolicyName, JSON.parse(decodeURIComponent(PolicyDocument!))];
        }),
      ),
    );
    return {
      arn: Role!.Arn,
      trust: JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)),
      boundary: Role!.PermissionsBoundary?.PermissionsBoundaryArn,
      maxSessionSeconds: Role!.MaxSessionDuration,
      tags: Object.fromEntries((Role!.Tags ?? []).map(t => [t.Key, t.Value])),
      attached: (attached.AttachedPolicies ?? []).map(p => p.PolicyArn).sort(),
      inline,
    };
  }

  it('creates the OIDC provider and every role, each pinned to its subjects and under the boundary', async () => {
    const out = await runAction(action, {
      ...input,
      datasetUri: 's3://acme-data/churn/2024/data.csv',
    });

    const provider = await sharedProvider();
    expect(provider.ClientIDList).toEqual(['sts.amazonaws.com']);
    expect(provider.Tags).toEqual([
      { Key: 'managed-by', Value: 'backstage-mlops' },
    ]);

    const dev = await readRole('churn-model-dev-ci-terraform');
    expect(dev.trust).toEqual(trust('repo:acme/churn-model:environment:dev'));
    expect(dev.boundary).toBe(BOUNDARY_ARN);
    // An apply that creates a cluster may outlast IAM's default hour.
    expect(dev.maxSessionSeconds).toBe(10800);
    expect(dev.attached).toEqual([TERRAFORM_POLICY_ARN]);
    expect(dev.tags).toEqual({
      'managed-by': 'backstage-mlops',
      team: 'ml',
      'mlops:github-repository': 'acme/churn-model',
    });
    const devState = dev.inline['mlops-terraform-state'].Statement;
    expect(devState).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource:
            'arn:aws:s3:::churn-model-tfstate-123456789012/churn-model/dev/*',
        }),
        expect.objectContaining({
          Action: 's3:DeleteObject',
          Resource:
            'arn:aws:s3:::churn-model-tfstate-123456789012/churn-model/dev/*.tflock',
        }),
      ]),
    );
    expect((await readRole('churn-model-prod-ci-terraform')).trust).toEqual(
      trust('repo:acme/churn-model:environment:prod'),
    );

    const plan = await readRole('churn-model-ci-plan');
    expect(plan.trust).toEqual(trust(BRANCH_SUBJECTS));
    expect(plan.boundary).toBe(BOUNDARY_ARN);
    expect(plan.maxSessionSeconds).toBe(3600);
    expect(plan.attached).toEqual([READ_ONLY_ARN]);
    const planStatements = plan.inline['mlops-plan-state'].Statement;
    const allowed = planStatements
      .filter((s: any) => s.Effect === 'Allow')
      .flatMap((s: any) => [s.Action].flat());
    expect(allowed.sort()).toEqual([
      'kms:Decrypt',
      's3:GetObject',
      's3:ListBucket',
    ]);
    expect(planStatements).toContainEqual({
      Sid: 'NeverWriteState',
      Effect: 'Deny',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: 'arn:aws:s3:::churn-model-tfstate-123456789012/churn-model/*',
    });
    // A pull request's code runs with this role: ReadOnlyAccess must not
    // become a way to read other teams' objects, items, parameters or logs.
    expect(planStatements).toContainEqual({
      Sid: 'NoDataReadsOutsideState',
      Effect: 'Deny',
      Action: expect.arrayContaining([
        's3:GetObject',
        'dynamodb:GetItem',
        'ssm:GetParameter',
        'secretsmanager:GetSecretValue',
        'logs:GetLogEvents',
        'ecr:BatchGetImage',
      ]),
      NotResource: [
        'arn:aws:s3:::churn-model-tfstate-123456789012/churn-model/*',
      ],
    });

    const training = await readRole('churn-model-ci-training');
    expect(training.trust).toEqual(trust(BRANCH_SUBJECTS));
    expect(training.boundary).toBe(BOUNDARY_ARN);
    expect(training.attached).toEqual([]);
    expect(training.inline['mlops-training-data'].Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-data/churn/2024/*',
        }),
        expect.objectContaining({
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::acme-data',
          Condition: { StringLike: { 's3:prefix': ['churn/2024/*'] } },
        }),
      ]),
    );

    expect(out).toEqual({
      oidcProviderArn: PROVIDER_ARN,
      terraformRoleArns: {
        dev: dev.arn,
        prod: `arn:aws:iam::${ACCOUNT}:role/churn-model-prod-ci-terraform`,
      },
      planRoleArn: plan.arn,
      trainingRoleArn: training.arn,
      permissionsBoundaryArn: BOUNDARY_ARN,
      created: true,
      changes: [
        'created GitHub OIDC provider "token.actions.githubusercontent.com" (audience sts.amazonaws.com)',
        'created IAM role "churn-model-dev-ci-terraform" (trusts repo:acme/churn-model:environment:dev; boundary ml-ci-boundary; ' +
          'policies ml-ci-terraform; inline mlops-terraform-state: state read/write under s3://churn-model-tfstate-123456789012/churn-model/dev/)',
        'created IAM role "churn-model-prod-ci-terraform" (trusts repo:acme/churn-model:environment:prod; boundary ml-ci-boundary; ' +
          'policies ml-ci-terraform; inline mlops-terraform-state: state read/write under s3://churn-model-tfstate-123456789012/churn-model/prod/)',
        'created IAM role "churn-model-ci-plan" (trusts repo:acme/churn-model:pull_request, repo:acme/churn-model:ref:refs/heads/main; ' +
          'boundary ml-ci-boundary; policies ReadOnlyAccess; inline mlops-plan-state: state read-only under s3://churn-model-tfstate-123456789012/churn-model/, most data reads elsewhere denied)',
        'created IAM role "churn-model-ci-training" (trusts repo:acme/churn-model:pull_request, repo:acme/churn-model:ref:refs/heads/main; ' +
          'boundary ml-ci-boundary; policies none; inline mlops-training-data: read s3://acme-data/churn/2024/*)',
      ],
    });
  });

  it('works registered by hand from app-config alone', async () => {
    const byHand = createGithubOidcEnsureAction({
      config: motoGithubConfig(moto.endpoint),
    });
    const out = await runAction(byHand, input);
    expect(out.created).toBe(true);
    expect(out.trainingRoleArn).toBe('');
    expect((await readRole('churn-model-ci-plan')).arn).toBe(out.planRoleArn);
  });

  it('changes nothing on a second run: zero mutating calls', async () => {
    await runAction(action, {
      ...input,
      datasetUri: 's3://acme-data/churn.csv',
    });
    const before = await iamSnapshot(moto.endpoint);
    recorder.clear();

    const out = await runAction(action, {
      ...input,
      datasetUri: 's3://acme-data/churn.csv',
    });

    expect(out.created).toBe(false);
    expect(out.changes).toEqual([]);
    expect(recorder.calls).toEqual(
      expect.arrayContaining(['GetRole', 'GetPolicy']),
    );
    expect(recorder.mutating()).toEqual([]);
    expect(await iamSnapshot(moto.endpoint)).toEqual(before);
  });

  it("re-trusts every role with the repository's subject prefix once GitHub gives it", async () => {
    await runAction(action, {
      ...input,
      datasetUri: 's3://acme-data/churn.csv',
    });
    recorder.clear();
    const prefix = 'repo:acme@123456/churn-model@789012';

    const out = await runAction(action, {
      ...input,
      datasetUri: 's3://acme-data/churn.csv',
      subjectPrefix: prefix,
    });

    expect((await readRole('churn-model-prod-ci-terraform')).trust).toEqual(
      trust(`${prefix}:environment:prod`),
    );
    expect((await readRole('churn-model-dev-ci-terraform')).trust).toEqual(
      trust(`${prefix}:environment:dev`),
    );
    const branchTrust = trust([
      `${prefix}:pull_request`,
      `${prefix}:ref:refs/heads/main`,
    ]);
    expect((await readRole('churn-model-ci-plan')).trust).toEqual(branchTrust);
    expect((await readRole('churn-model-ci-training')).trust).toEqual(
      branchTrust,
    );
    expect(recorder.mutating()).toEqual([
      'UpdateAssumeRolePolicy',
      'UpdateAssumeRolePolicy',
      'UpdateAssumeRolePolicy',
      'UpdateAssumeRolePolicy',
    ]);
    expect(out.changes).toContainEqual(
      expect.stringContaining(
        `repo:acme/churn-model:environment:prod → ${prefix}:environment:prod`,
      ),
    );
  });

  it('made before the repository exists (untrusted), the roles trust no workflow until the real prefix is given', async () => {
    await runAction(action, { ...input, untrusted: true });

    const pending = 'unpublished:acme/churn-model';
    expect((await readRole('churn-model-prod-ci-terraform')).trust).toEqual(
      trust(`${pending}:environment:prod`),
    );
    expect((await readRole('churn-model-ci-plan')).trust).toEqual(
      trust([`${pending}:pull_request`, `${pending}:ref:refs/heads/main`]),
    );

    const prefix = 'repo:acme@123456/churn-model@789012';
    await runAction(action, { ...input, subjectPrefix: prefix });

    expect((await readRole('churn-model-prod-ci-terraform')).trust).toEqual(
      trust(`${prefix}:environment:prod`),
    );
  });

  it('gives a Terraform role made with the default hour its longer session', async () => {
    await runAction(action, input);
    await iam().send(
      new UpdateRoleCommand({
        RoleName: 'churn-model-dev-ci-terraform',
        MaxSessionDuration: 3600,
      }),
    );
    recorder.clear();

    const out = await runAction(action, input);

    expect(
      (await readRole('churn-model-dev-ci-terraform')).maxSessionSeconds,
    ).toBe(10800);
    expect(recorder.mutating()).toEqual(['UpdateRole']);
    expect(out.changes).toContainEqual(
      expect.stringContaining(
        'converged maximum session duration of IAM role "churn-model-dev-ci-terraform" (3600 s → 10800 s)',
      ),
    );
  });

  it('refuses untrusted together with a subject prefix, before creating anything', async () => {
    await expect(
      runAction(action, {
        ...input,
        untrusted: true,
        subjectPrefix: 'repo:acme/churn-model',
      }),
    ).rejects.toThrow(/subjectPrefix.*must be empty with untrusted: true/s);
    expect(recorder.mutating()).toEqual([]);
  });

  it('converges drift: a loosened trust policy, a removed boundary, policies changed by hand, a tag removed', async () => {
    await runAction(action, input);
    const client = iam();
    const RoleName = 'churn-model-prod-ci-terraform';
    const loosened = trust('repo:acme/*');
    loosened.Statement[0].Condition = {
      StringLike: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/*',
      },
    } as any;
    await client.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName,
        PolicyDocument: JSON.stringify(loosened),
      }),
    );
    await client.send(new DeleteRolePermissionsBoundaryCommand({ RoleName }));
    await client.send(
      new DetachRolePolicyCommand({
        RoleName,
        PolicyArn: TERRAFORM_POLICY_ARN,
      }),
    );
    await client.send(
      new PutRolePolicyCommand({
        RoleName,
        PolicyName: 'mlops-terraform-state',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        }),
      }),
    );
    await client.send(
      new PutRolePolicyCommand({
        RoleName: 'churn-model-ci-plan',
        PolicyName: 'added-by-hand',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' },
          ],
        }),
      }),
    );
    await client.send(
      new UntagRoleCommand({
        RoleName: 'churn-model-ci-plan',
        TagKeys: ['team'],
      }),
    );
    recorder.clear();

    const out = await runAction(action, input);

    expect(out.changes).toEqual([
      'converged trust policy of IAM role "churn-model-prod-ci-terraform" (repo:acme/* → repo:acme/churn-model:environment:prod)',
      `converged permissions boundary of IAM role "churn-model-prod-ci-terraform" (not set → ${BOUNDARY_ARN})`,
      'converged managed policies of IAM role "churn-model-prod-ci-terraform" (not set → ml-ci-terraform)',
      'converged inline policy "mlops-terraform-state" of IAM role "churn-model-prod-ci-terraform" ' +
        '(changed by hand → state read/write under s3://churn-model-tfstate-123456789012/churn-model/prod/)',
      'converged other inline policies of IAM role "churn-model-ci-plan" (added-by-hand → none)',
      'converged tags of IAM role "churn-model-ci-plan" (missing or different → team)',
    ]);
    expect(recorder.mutating().sort()).toEqual([
      'AttachRolePolicy',
      'DeleteRolePolicy',
      'PutRolePermissionsBoundary',
      'PutRolePolicy',
      'TagRole',
      'UpdateAssumeRolePolicy',
    ]);
    const prod = await readRole(RoleName);
    expect(prod.trust).toEqual(trust('repo:acme/churn-model:environment:prod'));
    expect(prod.boundary).toBe(BOUNDARY_ARN);
    expect(prod.attached).toEqual([TERRAFORM_POLICY_ARN]);
    expect(Object.keys(prod.inline)).toEqual(['mlops-terraform-state']);
    expect(JSON.stringify(prod.inline)).not.toContain('"s3:*"');
    const plan = await readRole('churn-model-ci-plan');
    expect(Object.keys(plan.inline)).toEqual(['mlops-plan-state']);
    expect(plan.tags.team).toBe('ml');

    recorder.clear();
    expect((await runAction(action, input)).changes).toEqual([]);
    expect(recorder.mutating()).toEqual([]);
  });

  it('detaches a policy that is no longer configured and attaches the new one', async () => {
    await runAction(action, input);
    const changedConfig = actionWith({
      ...PLATFORM_GITHUB_CONFIG,
      terraformRolePolicies: [`arn:aws:iam::${ACCOUNT}:policy/ml-ci-boundary`],
    });

    const out = await runAction(changedConfig, {
      ...input,
      environments: ['dev'],
    });

    expect(out.changes).toEqual([
      'converged managed policies of IAM role "churn-model-dev-ci-terraform" (ml-ci-terraform → ml-ci-boundary)',
    ]);
    expect((await readRole('churn-model-dev-ci-terraform')).attached).toEqual([
      BOUNDARY_ARN,
    ]);
  });

  it('completes a run interrupted after a role was created', async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'churn-model-ci-plan',
        AssumeRolePolicyDocument: JSON.stringify(trust(BRANCH_SUBJECTS)),
        PermissionsBoundary: BOUNDARY_ARN,
        Tags: [{ Key: 'mlops:github-repository', Value: 'acme/churn-model' }],
      }),
    );

    const out = await runAction(action, input);

    expect(out.changes).toEqual(
      expect.arrayContaining([
        'converged managed policies of IAM role "churn-model-ci-plan" (not set → ReadOnlyAccess)',
        expect.stringMatching(
          /^converged inline policy "mlops-plan-state" of IAM role "churn-model-ci-plan" \(not set → state read-only/,
        ),
        'converged tags of IAM role "churn-model-ci-plan" (missing or different → managed-by, team)',
      ]),
    );
    expect((await readRole('churn-model-ci-plan')).attached).toEqual([
      READ_ONLY_ARN,
    ]);
  });

  describe('refuses a role that belongs to someone else, before changing anything', () => {
    it.each([
      [
        'another repository',
        [{ Key: 'mlops:github-repository', Value: 'acme/other-service' }],
        /IAM role "churn-model-ci-plan" already exists and was made for the GitHub repository "acme\/other-service"/,
      ],
      [
        'no repository tag',
        [{ Key: 'managed-by', Value: 'backstage-mlops' }],
        /IAM role "churn-model-ci-plan" already exists and was not made by this action for a GitHub repository \(it has no mlops:github-repository tag\).*tag it mlops:github-repository=acme\/churn-model/,
      ],
    ])('%s', async (_case, Tags, message) => {
      await iam().send(
        new CreateRoleCommand({
          RoleName: 'churn-model-ci-plan',
          AssumeRolePolicyDocument: JSON.stringify(trust('repo:acme/*')),
          Tags,
        }),
      );
      const before = await iamSnapshot(moto.endpoint);
      recorder.clear();

      const run = runAction(action, input);

      await expect(run).rejects.toThrow(ConflictError);
      await expect(runAction(action, input)).rejects.toThrow(message);
      expect(recorder.mutating()).toEqual([]);
      expect(await iamSnapshot(moto.endpoint)).toEqual(before);
    });

    it('accepts its own role whatever the case of the repository name', async () => {
      await runAction(action, input);
      const out = await runAction(action, { ...input, githubOwner: 'ACME' });
      expect(out.changes).toContain(
        'converged trust policy of IAM role "churn-model-dev-ci-terraform" ' +
          '(repo:acme/churn-model:environment:dev → repo:ACME/churn-model:environment:dev)',
      );
    });
  });

  describe('on GitHub Enterprise Server and GHE.com', () => {
    // GitHub's OIDC reference: iss is https://HOSTNAME/_services/token on GHES, and
    // https://token.actions.SUBDOMAIN.ghe.com on GHE.com; IAM's condition keys are the
    // provider URL without https://, its path included.
    it.each([
      ['github.example.com', 'github.example.com/_services/token'],
      ['octocorp.ghe.com', 'token.actions.octocorp.ghe.com'],
    ])(
      "on %s trusts the tokens of its issuer %s, and nothing of github.com's",
      async (githubHost, issuer) => {
        const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}`;
        const onHost = { ...input, githubHost, environments: ['dev'] };

        const dryRun = await runAction(action, onHost, { dryRun: true });
        expect(dryRun.plan?.[0]).toBe(
          `would create GitHub OIDC provider "${issuer}" (audience sts.amazonaws.com)`,
        );
        expect(dryRun.oidcProviderArn).toBe(providerArn);

        const out = await runAction(action, onHost);

        const provider = await iam().send(
          new GetOpenIDConnectProviderCommand({
            OpenIDConnectProviderArn: providerArn,
          }),
        );
        expect(provider.Url).toBe(issuer);
        expect(provider.ClientIDList).toEqual(['sts.amazonaws.com']);
        expect(out.oidcProviderArn).toBe(providerArn);
        expect(out.changes[0]).toBe(
          `created GitHub OIDC provider "${issuer}" (audience sts.amazonaws.com)`,
        );
        const dev = await readRole('churn-model-dev-ci-terraform');
        expect(dev.trust.Statement).toEqual([
          {
            Sid: 'GithubActionsOidc',
            Effect: 'Allow',
            Principal: { Federated: providerArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${issuer}:aud`]: 'sts.amazonaws.com',
                [`${issuer}:sub`]: 'repo:acme/churn-model:environment:dev',
              },
            },
          },
        ]);
        expect(
          (await readRole('churn-model-ci-plan')).trust.Statement[0].Condition
            .StringEquals,
        ).toEqual({
          [`${issuer}:aud`]: 'sts.amazonaws.com',
          [`${issuer}:sub`]: BRANCH_SUBJECTS,
        });
        expect(dev.tags['mlops:github-repository']).toBe(
          `${githubHost}/acme/churn-model`,
        );
        await expect(sharedProvider()).rejects.toMatchObject({
          name: 'NoSuchEntityException',
        });

        recorder.clear();
        const again = await runAction(action, onHost);
        expect(again.changes).toEqual([]);
        expect(recorder.mutating()).toEqual([]);
      },
    );

    it("refuses the roles of github.com's repository of the same name, before changing anything", async () => {
      await runAction(action, { ...input, environments: ['dev'] });
      const before = await iamSnapshot(moto.endpoint);
      recorder.clear();

      const run = runAction(action, {
        ...input,
        environments: ['dev'],
        githubHost: 'github.example.com',
      });

      await expect(run).rejects.toThrow(
        /IAM role "churn-model-dev-ci-terraform" already exists and was made for the GitHub repository "acme\/churn-model".*not changed for "github\.example\.com\/acme\/churn-model"/,
      );
      expect(recorder.mutating()).toEqual([]);
      expect(await iamSnapshot(moto.endpoint)).toEqual(before);
    });

    it('with oidcProvider "existing", names the issuer the platform must register', async () => {
      await expect(
        runAction(
          actionWith({ ...PLATFORM_GITHUB_CONFIG, oidcProvider: 'existing' }),
          { ...input, githubHost: 'github.example.com' },
        ),
      ).rejects.toThrow(
        /has no OIDC provider for github\.example\.com\/_services\/token\. Have the platform create it once \(URL https:\/\/github\.example\.com\/_services\/token, audience sts\.amazonaws\.com\)/,
      );
      expect(recorder.mutating()).toEqual([]);
    });
  });

  describe('for an enterprise with its unique issuer URL (mlops.github.enterpriseSlug)', () => {
    // GitHub's "Switching to a unique token URL": an enterprise's github.com workflows then get
    // tokens whose iss is https://token.actions.githubusercontent.com/<slug>.
    const ISSUER = 'token.actions.githubusercontent.com/acme-corp';
    const ENTERPRISE_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
    const enterprise = () =>
      actionWith({ ...PLATFORM_GITHUB_CONFIG, enterpriseSlug: 'acme-corp' });
    const dev = { ...input, environments: ['dev'] };

    it('makes the provider of that issuer and trusts its tokens only', async () => {
      const out = await runAction(enterprise(), dev);

      const provider = await iam().send(
        new GetOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: ENTERPRISE_PROVIDER_ARN,
        }),
      );
      expect(provider.Url).toBe(ISSUER);
      expect(out.oidcProviderArn).toBe(ENTERPRISE_PROVIDER_ARN);
      expect(
        (await readRole('churn-model-dev-ci-terraform')).trust.Statement,
      ).toEqual([
        {
          Sid: 'GithubActionsOidc',
          Effect: 'Allow',
          Principal: { Federated: ENTERPRISE_PROVIDER_ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${ISSUER}:aud`]: 'sts.amazonaws.com',
              [`${ISSUER}:sub`]: 'repo:acme/churn-model:environment:dev',
            },
          },
        },
      ]);
      await expect(sharedProvider()).rejects.toMatchObject({
        name: 'NoSuchEntityException',
      });

      recorder.clear();
      expect((await runAction(enterprise(), dev)).changes).toEqual([]);
      expect(recorder.mutating()).toEqual([]);
    });

    it('moves roles made before the enterprise turned it on over to the new issuer', async () => {
      await runAction(action, dev);

      const dryRun = await runAction(enterprise(), dev, { dryRun: true });
      expect(dryRun.plan).toContain(
        `would create GitHub OIDC provider "${ISSUER}" (audience sts.amazonaws.com)`,
      );
      const out = await runAction(enterprise(), dev);

      expect(out.changes).toContain(
        `created GitHub OIDC provider "${ISSUER}" (audience sts.amazonaws.com)`,
      );
      // The shared issuer's provider stays: other repositories may still use it.
      await expect(sharedProvider()).resolves.toMatchObject({
        Url: 'token.actions.githubusercontent.com',
      });
      expect(
        (await readRole('churn-model-ci-plan')).trust.Statement[0],
      ).toMatchObject({
        Principal: { Federated: ENTERPRISE_PROVIDER_ARN },
        Condition: {
          StringEquals: {
            [`${ISSUER}:aud`]: 'sts.amazonaws.com',
            [`${ISSUER}:sub`]: BRANCH_SUBJECTS,
          },
        },
      });
    });

    it('with oidcProvider "existing", names the enterprise issuer the platform must register', async () => {
      await expect(
        runAction(
          actionWith({
            ...PLATFORM_GITHUB_CONFIG,
            enterpriseSlug: 'acme-corp',
            oidcProvider: 'existing',
          }),
          dev,
        ),
      ).rejects.toThrow(
        `has no OIDC provider for ${ISSUER}. Have the platform create it once (URL https://${ISSUER}, audience sts.amazonaws.com)`,
      );
      expect(recorder.mutating()).toEqual([]);
    });

    it('leaves the issuers of GitHub Enterprise Server and GHE.com as they are', async () => {
      const out = await runAction(enterprise(), {
        ...dev,
        githubHost: 'octocorp.ghe.com',
      });
      expect(out.oidcProviderArn).toBe(
        `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.octocorp.ghe.com`,
      );
    });
  });

  describe('platform configuration', () => {
    it.each([
      [
        'no permissions boundary',
        { terraformRolePolicies: ['ml-ci-terraform'] },
        /mlops\.github\.permissionsBoundary is not set\. .*or set mlops\.github\.allowMissingPermissionsBoundary: true/,
      ],
      [
        'no mlops.github section at all',
        null,
        /mlops\.github\.permissionsBoundary is not set.*mlops\.github\.terraformRolePolicies is not set/,
      ],
      [
        'no Terraform policies',
        { permissionsBoundary: 'ml-ci-boundary', terraformRolePolicies: [] },
        /mlops\.github\.terraformRolePolicies is not set\. Name at least one policy/,
      ],
      [
        'an unknown OIDC provider mode',
        { ...PLATFORM_GITHUB_CONFIG, oidcProvider: 'maybe' },
        /mlops\.github\.oidcProvider "maybe" must be "create" .* or "existing"/,
      ],
      [
        'a malformed policy reference',
        {
          ...PLATFORM_GITHUB_CONFIG,
          planRolePolicies: ['arn:aws:s3:::bucket'],
        },
        /mlops\.github\.planRolePolicies "arn:aws:s3:::bucket" is neither a policy name nor a policy ARN/,
      ],
      [
        'an enterprise slug that is not one',
        { ...PLATFORM_GITHUB_CONFIG, enterpriseSlug: 'Acme Corp' },
        /mlops\.github\.enterpriseSlug "Acme Corp" must be the enterprise's slug as its URL spells it, https:\/\/github\.com\/enterprises\/<slug>/,
      ],
      [
        'an empty plan policy list',
        { ...PLATFORM_GITHUB_CONFIG, planRolePolicies: [] },
        /mlops\.github\.planRolePolicies is empty/,
      ],
    ])('refuses %s with no AWS call', async (_case, github, message) => {
      for (const dryRun of [false, true]) {
        await expect(
          runAction(actionWith(github), input, { dryRun }),
        ).rejects.toThrow(message);
      }
      expect(recorder.calls).toEqual([]);
    });

    it('creates the roles without a boundary only when config allows it', async () => {
      const out = await runAction(
        actionWith({
          allowMissingPermissionsBoundary: true,
          terraformRolePolicies: ['ml-ci-terraform'],
        }),
        input,
      );
      expect(out.created).toBe(true);
      expect((await readRole('churn-model-dev-ci-terraform')).boundary).toBe(
        undefined,
      );
    });

    it('refuses a platform policy that does not exist before creating anything', async () => {
      const github = {
        ...PLATFORM_GITHUB_CONFIG,
        terraformRolePolicies: ['ml-ci-terraform', 'ml-ci-missing'],
        planRolePolicies: [`arn:aws:iam::aws:policy/NoSuchManagedPolicy`],
      };
      const before = await iamSnapshot(moto.endpoint);

      const run = runAction(actionWith(github), input);

      await expect(run).rejects.toThrow(NotFoundError);
      await expect(runAction(actionWith(github), input)).rejects.toThrow(
        'Policies named in app-config do not exist in AWS account 123456789012: ' +
          'mlops.github.terraformRolePolicies: arn:aws:iam::123456789012:policy/ml-ci-missing; ' +
          'mlops.github.planRolePolicies: arn:aws:iam::aws:policy/NoSuchManagedPolicy.',
      );
      expect(recorder.mutating()).toEqual([]);
      expect(await iamSnapshot(moto.endpoint)).toEqual(before);
    });

    it('refuses a missing boundary policy in a dry run as well', async () => {
      await moto.reset();
      await seedPlatformPolicies(moto.endpoint, ['ml-ci-terraform']);
      await expect(runAction(action, input, { dryRun: true })).rejects.toThrow(
        /mlops\.github\.permissionsBoundary: arn:aws:iam::123456789012:policy\/ml-ci-boundary/,
      );
    });

    it('with oidcProvider "existing", refuses when the platform has not made the provider', async () => {
      const existing = actionWith({
        ...PLATFORM_GITHUB_CONFIG,
        oidcProvider: 'existing',
      });
      const before = await iamSnapshot(moto.endpoint);

      await expect(runAction(existing, input)).rejects.toThrow(
        /mlops\.github\.oidcProvider is "existing", but AWS account 123456789012 has no OIDC provider for token\.actions\.githubusercontent\.com/,
      );
      expect(recorder.mutating()).toEqual([]);
      expect(await iamSnapshot(moto.endpoint)).toEqual(before);
    });

    it('with oidcProvider "existing", uses the platform\'s provider and leaves it alone', async () => {
      await iam().send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sts.amazonaws.com'],
          Tags: [{ Key: 'owner', Value: 'platform' }],
        }),
      );
      const existing = actionWith({
        ...PLATFORM_GITHUB_CONFIG,
        oidcProvider: 'existing',
      });

      const out = await runAction(existing, input);

      expect(out.oidcProviderArn).toBe(PROVIDER_ARN);
      expect(out.changes).toHaveLength(3);
      expect(recorder.mutating()).not.toContain('CreateOpenIDConnectProvider');
      const provider = await sharedProvider();
      expect(provider.Tags).toEqual([{ Key: 'owner', Value: 'platform' }]);
    });

    it('with oidcProvider "existing", refuses a provider without the STS audience', async () => {
      await iam().send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['my-audience'],
        }),
      );
      await expect(
        runAction(
          actionWith({ ...PLATFORM_GITHUB_CONFIG, oidcProvider: 'existing' }),
          input,
        ),
      ).rejects.toThrow(/does not accept the audience sts\.amazonaws\.com/);
      expect(recorder.mutating()).toEqual([]);
    });
  });

  describe('dry run', () => {
    it('plans everything with zero mutating calls and derives the ARNs', async () => {
      const before = await iamSnapshot(moto.endpoint);

      const out = await runAction(action, input, { dryRun: true });

      expect(recorder.calls).toEqual(
        expect.arrayContaining([
          'GetCallerIdentity',
          'GetPolicy',
          'GetOpenIDConnectProvider',
          'GetRole',
        ]),
      );
      expect(recorder.mutating()).toEqual([]);
      expect(await iamSnapshot(moto.endpoint)).toEqual(before);
      expect(out.plan).toEqual([
        'would create GitHub OIDC provider "token.actions.githubusercontent.com" (audience sts.amazonaws.com)',
        expect.stringMatching(
          /^would create IAM role "churn-model-dev-ci-terraform" \(trusts repo:acme\/churn-model:environment:dev; boundary ml-ci-boundary;/,
        ),
        expect.stringMatching(
          /^would create IAM role "churn-model-prod-ci-terraform" \(trusts repo:acme\/churn-model:environment:prod;/,
        ),
        expect.stringMatching(/^would create IAM role "churn-model-ci-plan" /),
      ]);
      expect(out).toMatchObject({
        oidcProviderArn: PROVIDER_ARN,
        terraformRoleArns: {
          dev: `arn:aws:iam::${ACCOUNT}:role/churn-model-dev-ci-terraform`,
          prod: `arn:aws:iam::${ACCOUNT}:role/churn-model-prod-ci-terraform`,
        },
        planRoleArn: `arn:aws:iam::${ACCOUNT}:role/churn-model-ci-plan`,
        trainingRoleArn: '',
        permissionsBoundaryArn: BOUNDARY_ARN,
        created: false,
        changes: [],
      });
    });

    it('reports drift and a missing audience without touching anything', async () => {
      await runAction(action, { ...input, environments: ['dev'] });
      await iam().send(
        new DeleteOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: PROVIDER_ARN,
        }),
      );
      await iam().send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['my-audience'],
        }),
      );
      await iam().send(
        new DeleteRolePermissionsBoundaryCommand({
          RoleName: 'churn-model-ci-plan',
        }),
      );
      const before = await iamSnapshot(moto.endpoint);
      recorder.clear();

      const out = await runAction(
        action,
        { ...input, environments: ['dev'] },
        { dryRun: true },
      );

      expect(out.plan).toEqual([
        'would converge audiences of GitHub OIDC provider "token.actions.githubusercontent.com" (my-audience → my-audience, sts.amazonaws.com)',
        `would converge permissions boundary of IAM role "churn-model-ci-plan" (not set → ${BOUNDARY_ARN})`,
      ]);
      expect(recorder.mutating()).toEqual([]);
      expect(await iamSnapshot(moto.endpoint)).toEqual(before);
    });

    it('says everything matches after a real run', async () => {
      await runAction(action, input);
      const out = await runAction(action, input, { dryRun: true });
      expect(out.plan).toEqual([
        'exists: GitHub OIDC provider and CI roles of "acme/churn-model" match the desired configuration',
      ]);
    });

    it('without AWS credentials: plan "unknown", ARNs derived from the inputs', async () => {
      const config = new ConfigReader({
        mlops: {
          aws: { endpoint: moto.endpoint },
          github: PLATFORM_GITHUB_CONFIG,
        },
      });
      const out = await withoutAwsCredentials(() =>
        runAction(
          createGithubOidcEnsureAction({ config }),
          { ...input, datasetUri: 's3://acme-data/churn/data.csv' },
          { dryRun: true },
        ),
      );
      expect(out.plan).toEqual([
        expect.stringMatching(/^unknown: no AWS credentials are configured/),
      ]);
      expect(out.planRoleArn).toBe(
        `arn:aws:iam::${ACCOUNT}:role/churn-model-ci-plan`,
      );
      expect(out.trainingRoleArn).toBe(
        `arn:aws:iam::${ACCOUNT}:role/churn-model-ci-training`,
      );
      expect(out.oidcProviderArn).toBe(PROVIDER_ARN);
    });
  });
});

describe('retryWhileInvalidPrincipal', () => {
  const invalidPrincipal = Object.assign(
    new Error('Invalid principal in policy: "Federated":"arn:..."'),
    { name: 'MalformedPolicyDocumentException' },
  );

  it('retries while IAM does not know a new principal yet', async () => {
    let attempts = 0;
    const result = await retryWhileInvalidPrincipal(async () => {
      attempts += 1;
      if (attempts < 3) {
        throw invalidPrincipal;
      }
      return 'created';
    }, [1, 1, 1]);
    expect(result).toBe('created');
    expect(attempts).toBe(3);
  });

  it('gives up after the last delay, and never retries other errors', async () => {
    let attempts = 0;
    await expect(
      retryWhileInvalidPrincipal(async () => {
        attempts += 1;
        throw invalidPrincipal;
      }, [1, 1]),
    ).rejects.toBe(invalidPrincipal);
    expect(attempts).toBe(3);

    const other = new InputError('nope');
    await expect(
      retryWhileInvalidPrincipal(async () => {
        throw other;
      }, [1]),
    ).rejects.toBe(other);
  });
});
