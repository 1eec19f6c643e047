import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { promisify } from 'node:util';
import {
  CallRecorder,
  recordingFactory,
  runAction,
} from '../__testUtils__/actionHarness';
import {
  motoGithubConfig,
  seedPlatformPolicies,
  startIamMoto,
} from '../__testUtils__/iamMoto';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { ecrEnsureAction } from './ecrEnsure';
import { createGithubOidcEnsureAction } from './githubOidcEnsure';
import { tfstateEnsureAction } from './tfstateEnsure';

jest.setTimeout(120_000);

/** Reads state back with the AWS CLI, a client independent of the SDK the actions use. */
async function awsCli(endpoint: string, ...args: string[]): Promise<any> {
  const { stdout } = await promisify(execFile)(
    'aws',
    [
      '--endpoint-url',
      endpoint,
      '--region',
      'eu-west-1',
      '--output',
      'json',
      ...args,
    ],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
        AWS_CONFIG_FILE: '/dev/null',
      },
    },
  );
  return JSON.parse(stdout);
}

describe('read-back with the AWS CLI', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(() => moto?.stop());

  it('shows the hardened bucket and repository', async () => {
    const awsClientFactory = recordingFactory(
      moto.endpoint,
      new CallRecorder(),
    );
    await runAction(tfstateEnsureAction(awsClientFactory), {
      bucketName: 'cli-state',
      region: 'eu-west-1',
    });
    await runAction(ecrEnsureAction(awsClientFactory), {
      repositoryName: 'ml/cli-model',
      region: 'eu-west-1',
    });
    const cli = (...args: string[]) => awsCli(moto.endpoint, ...args);

    expect(
      await cli('s3api', 'get-bucket-versioning', '--bucket', 'cli-state'),
    ).toEqual({ Status: 'Enabled' });
    const encryption = await cli(
      's3api',
      'get-bucket-encryption',
      '--bucket',
      'cli-state',
    );
    expect(
      encryption.ServerSideEncryptionConfiguration.Rules[0]
        .ApplyServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('aws:kms');
    expect(
      (await cli('s3api', 'get-public-access-block', '--bucket', 'cli-state'))
        .PublicAccessBlockConfiguration,
    ).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const ownership = await cli(
      's3api',
      'get-bucket-ownership-controls',
      '--bucket',
      'cli-state',
    );
    expect(ownership.OwnershipControls.Rules).toEqual([
      { ObjectOwnership: 'BucketOwnerEnforced' },
    ]);
    const policy = JSON.parse(
      (await cli('s3api', 'get-bucket-policy', '--bucket', 'cli-state')).Policy,
    );
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid).sort()).toEqual([
      'MlopsDenyInsecureTransport',
      'MlopsDenyTlsBelow12',
    ]);

    const { repositories } = await cli(
      'ecr',
      'describe-repositories',
      '--repository-names',
      'ml/cli-model',
    );
    expect(repositories[0]).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' },
    });
    const lifecycle = await cli(
      'ecr',
      'get-lifecycle-policy',
      '--repository-name',
      'ml/cli-model',
    );
    expect(JSON.parse(lifecycle.lifecyclePolicyText).rules).toHaveLength(2);
  });

  it('sees the TLS-only policy enforced: a plain-HTTP upload is denied', async () => {
    const body = joinPath(
      mkdtempSync(joinPath(tmpdir(), 'mlops-')),
      'state.json',
    );
    writeFileSync(body, '{}');
    await expect(
      awsCli(
        moto.endpoint,
        's3api',
        'put-object',
        '--bucket',
        'cli-state',
        '--key',
        'x',
        '--body',
        body,
      ),
    ).rejects.toThrow(/PutObject operation: (Forbidden|Access ?Denied)/);
  });
});

describe('read-back of the CI roles with the AWS CLI', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startIamMoto();
    await seedPlatformPolicies(moto.endpoint);
  });
  afterAll(() => moto?.stop());

  it('shows each Terraform role trusting only its GitHub environment, under the boundary', async () => {
    await runAction(
      createGithubOidcEnsureAction({ config: motoGithubConfig(moto.endpoint) }),
      {
        githubOwner: 'acme',
        githubRepo: 'cli-model',
        environments: ['dev', 'prod'],
        defaultBranch: 'main',
        namePrefix: 'cli-model',
        region: 'eu-west-1',
        stateBucket: 'cli-model-tfstate',
        stateKeyPrefix: 'cli-model',
      },
    );
    const cli = (...args: string[]) => awsCli(moto.endpoint, ...args);

    for (const env of ['dev', 'prod']) {
      const { Role } = await cli(
        'iam',
        'get-role',
        '--role-name',
        `cli-model-${env}-ci-terraform`,
      );
      expect(Role.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Sid: 'GithubActionsOidc',
          Effect: 'Allow',
          Principal: {
            Federated:
              'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': `repo:acme/cli-model:environment:${env}`,
            },
          },
        },
      ]);
      expect(Role.PermissionsBoundary).toEqual({
        PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
        PermissionsBoundaryArn:
          'arn:aws:iam::123456789012:policy/ml-ci-boundary',
      });
      const attached = await cli(
        'iam',
        'list-attached-role-policies',
        '--role-name',
        `cli-model-${env}-ci-terraform`,
      );
      expect(attached.AttachedPolicies).toEqual([
        {
          PolicyName: 'ml-ci-terraform',
          PolicyArn: 'arn:aws:iam::123456789012:policy/ml-ci-terraform',
        },
      ]);
    }

    const plan = await cli(
      'iam',
      'get-role',
      '--role-name',
      'cli-model-ci-plan',
    );
    expect(
      plan.Role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[
        'token.actions.githubusercontent.com:sub'
      ],
    ).toEqual([
      'repo:acme/cli-model:pull_request',
      'repo:acme/cli-model:ref:refs/heads/main',
    ]);
    const provider = await cli(
      'iam',
      'get-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    );
    expect(provider.ClientIDList).toEqual(['sts.amazonaws.com']);
  });
});
