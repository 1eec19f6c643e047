import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfigReader } from '@backstage/config';
import {
  CallRecorder,
  recordingFactory,
  runAction,
  withoutAwsCredentials,
} from '../__testUtils__/actionHarness';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { motoS3Client } from '../__testUtils__/deployRecordsMoto';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import {
  createTfstateEnsureAction,
  tfstateEnsureAction,
} from './tfstateEnsure';

jest.setTimeout(60_000);

describe('mlops:tfstate:ensure against moto', () => {
  let moto: MotoServer;
  const recorder = new CallRecorder();
  let action: ReturnType<typeof tfstateEnsureAction>;

  const s3 = (region = 'us-east-1') => motoS3Client(moto, { region });

  /** Sets the bucket's four public access block flags: all on, but for `loose`. */
  const putPublicAccessBlock = (Bucket: string, loose: string[] = []) =>
    s3().send(
      new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: Object.fromEntries(
          [
            'BlockPublicAcls',
            'IgnorePublicAcls',
            'BlockPublicPolicy',
            'RestrictPublicBuckets',
          ].map(flag => [flag, !loose.includes(flag)]),
        ),
      }),
    );

  const putTags = (Bucket: string, tags: Record<string, string>) =>
    s3().send(
      new PutBucketTaggingCommand({
        Bucket,
        Tagging: {
          TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        },
      }),
    );

  beforeAll(async () => {
    moto = await startMotoServer();
    action = tfstateEnsureAction(recordingFactory(moto.endpoint, recorder));
  });
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    recorder.clear();
  });

  async function expectHardened(
    bucket: string,
    region: string,
    sse: 'aws:kms' | 'AES256' = 'aws:kms',
  ) {
    const client = s3(region);
    const Bucket = bucket;
    const location = await client.send(
      new GetBucketLocationCommand({ Bucket }),
    );
    expect(location.LocationConstraint ?? 'us-east-1').toBe(region);
    expect(
      (await client.send(new GetBucketVersioningCommand({ Bucket }))).Status,
    ).toBe('Enabled');
    const encryption = await client.send(
      new GetBucketEncryptionCommand({ Bucket }),
    );
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]
        .ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe(sse);
    expect(
      (await client.send(new GetPublicAccessBlockCommand({ Bucket })))
        .PublicAccessBlockConfiguration,
    ).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const ownership = await client.send(
      new GetBucketOwnershipControlsCommand({ Bucket }),
    );
    expect(ownership.OwnershipControls?.Rules?.[0].ObjectOwnership).toBe(
      'BucketOwnerEnforced',
    );
    const policy = JSON.parse(
      (await client.send(new GetBucketPolicyCommand({ Bucket }))).Policy!,
    );
    expect(policy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
        }),
      ]),
    );
    const tags = await client.send(new GetBucketTaggingCommand({ Bucket }));
    return Object.fromEntries((tags.TagSet ?? []).map(t => [t.Key, t.Value]));
  }

  it.each(['us-east-1', 'eu-west-1'])(
    'creates a hardened bucket in %s',
    async region => {
      const bucketName = `state-fresh-${region}`;
      const out = await runAction(action, {
        bucketName,
        region,
        stateKeyPrefix: 'svc',
        tags: { team: 'ml' },
      });

      const tags = await expectHardened(bucketName, region);
      expect(tags).toEqual({ team: 'ml', 'managed-by': 'backstage-mlops' });
      expect(out.created).toBe(true);
      expect(out.changes[0]).toBe(
        `created bucket "${bucketName}" in ${region}`,
      );
      expect(out.changes).toHaveLength(7);
      expect(out.bucketArn).toBe(`arn:aws:s3:::${bucketName}`);
      expect(out.lockTable).toBe('');
      expect(out.useLockfile).toBe(true);
      expect(out.backendConfig).toContain(`bucket       = "${bucketName}"`);
      expect(out.backendConfig).toContain(
        'key          = "svc/terraform.tfstate"',
      );
      expect(out.backendConfig).toContain(`region       = "${region}"`);
      expect(out.backendConfig).toContain('use_lockfile = true');
      expect(out.backendConfig).not.toContain('dynamodb_table');
      // Without a key, `encrypt` would override the bucket's SSE-KMS with AES256.
      expect(out.backendConfig).not.toMatch(/encrypt/);
    },
  );

  it('changes nothing on a second run', async () => {
    const input = { bucketName: 'state-twice', region: 'eu-west-1' };
    await runAction(action, input);
    const before = await moto.snapshot();
    recorder.clear();

    const out = await runAction(action, input);

    expect(out.created).toBe(false);
    expect(out.changes).toEqual([]);
    expect(recorder.mutating()).toEqual([]);
    expect(await moto.snapshot()).toEqual(before);
  });

  it('converges drift: suspended versioning, removed encryption and policy, a loosened block flag', async () => {
    const Bucket = 'state-drift';
    await runAction(action, {
      bucketName: Bucket,
      region: 'us-east-1',
      tags: { team: 'ml' },
    });
    const client = s3();
    await client.send(
      new PutBucketVersioningCommand({
        Bucket,
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );
    await client.send(new DeleteBucketEncryptionCommand({ Bucket }));
    await client.send(new DeleteBucketPolicyCommand({ Bucket }));
    await putPublicAccessBlock(Bucket, ['BlockPublicPolicy']);
    await putTags(Bucket, { 'cost-center': '42' });

    const out = await runAction(action, {
      bucketName: Bucket,
      region: 'us-east-1',
      tags: { team: 'ml' },
    });

    expect(out.created).toBe(false);
    expect(out.changes).toEqual([
      `converged versioning of bucket "${Bucket}" (Suspended → Enabled)`,
      `converged default encryption of bucket "${Bucket}" (not set → aws:kms)`,
      `converged public access block of bucket "${Bucket}" (BlockPublicPolicy off → all four flags on)`,
      `converged bucket policy of bucket "${Bucket}" (not set → deny non-TLS and TLS < 1.2)`,
      `converged tags of bucket "${Bucket}" (missing → managed-by, team)`,
    ]);
    const tags = await expectHardened(Bucket, 'us-east-1');
    expect(tags).toEqual({
      'cost-center': '42',
      team: 'ml',
      'managed-by': 'backstage-mlops',
    });
  });

  describe("an existing bucket in use that it did not make (a platform team's, perhaps shared)", () => {
    /** A bucket made outside the action, holding another service's state, with `settings` applied. */
    async function platformBucket(
      Bucket: string,
      settings: { versioning?: boolean; publicAccessBlock?: boolean } = {},
    ) {
      const client = s3();
      await client.send(new CreateBucketCommand({ Bucket }));
      if (settings.versioning ?? true) {
        await client.send(
          new PutBucketVersioningCommand({
            Bucket,
            VersioningConfiguration: { Status: 'Enabled' },
          }),
        );
      }
      await client.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
              },
            ],
          },
        }),
      );
      if (settings.publicAccessBlock ?? true) {
        await putPublicAccessBlock(Bucket);
      }
      await putTags(Bucket, { team: 'platform' });
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: 'other-service/terraform.tfstate',
          Body: '{}',
        }),
      );
    }

    it('is reused as it is: no change to its encryption, policy, ownership or tags', async () => {
      await platformBucket('platform-state');
      const before = await moto.snapshot();

      const out = await runAction(action, {
        bucketName: 'platform-state',
        region: 'us-east-1',
        stateKeyPrefix: 'churn-model',
        tags: { service: 'churn-model' },
      });

      expect(out).toMatchObject({ created: false, changes: [] });
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
      const { TagSet } = await s3().send(
        new GetBucketTaggingCommand({ Bucket: 'platform-state' }),
      );
      expect(TagSet).toEqual([{ Key: 'team', Value: 'platform' }]);
    });

    it('is refused, naming what to fix, when it cannot hold state safely, in a dry run too', async () => {
      await platformBucket('loose-state', {
        versioning: false,
        publicAccessBlock: false,
      });
      const before = await moto.snapshot();

      for (const dryRun of [false, true]) {
        await expect(
          runAction(
            action,
            { bucketName: 'loose-state', region: 'us-east-1' },
            { dryRun },
          ),
        ).rejects.toThrow(
          'S3 bucket "loose-state" already exists, holds objects and is not tagged managed-by=backstage-mlops, ' +
            'so this action changes nothing on it (others may use it). It cannot hold Terraform state as it is: ' +
            'versioning is off (a state overwritten by mistake could not be recovered); its public access block has ' +
            'BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off. Fix that on the bucket, ' +
            'tag it managed-by=backstage-mlops to let this action harden it',
        );
      }
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
    });
  });

  it('keeps the tags of a bucket another service made when a second service shares it', async () => {
    await runAction(action, {
      bucketName: 'shared-state',
      region: 'us-east-1',
      tags: { service: 'first' },
    });

    const out = await runAction(action, {
      bucketName: 'shared-state',
      region: 'us-east-1',
      stateKeyPrefix: 'second',
      tags: { service: 'second', owner: 'group:default/second' },
    });

    expect(out.changes).toEqual([
      'converged tags of bucket "shared-state" (missing → owner)',
    ]);
    const { TagSet } = await s3().send(
      new GetBucketTaggingCommand({ Bucket: 'shared-state' }),
    );
    expect(Object.fromEntries(TagSet!.map(t => [t.Key, t.Value]))).toEqual({
      'managed-by': 'backstage-mlops',
      service: 'first',
      owner: 'group:default/second',
    });
  });

  it('keeps foreign statements of an existing bucket policy while adding its own', async () => {
    const Bucket = 'state-shared-policy';
    await runAction(action, { bucketName: Bucket, region: 'us-east-1' });
    const client = s3();
    const policy = JSON.parse(
      (await client.send(new GetBucketPolicyCommand({ Bucket }))).Policy!,
    );
    const extra = {
      Sid: 'AllowAuditRead',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:role/audit' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${Bucket}/*`,
    };
    await client.send(
      new PutBucketPolicyCommand({
        Bucket,
        Policy: JSON.stringify({
          ...policy,
          Statement: [extra, policy.Statement[0]],
        }),
      }),
    );

    const out = await runAction(action, {
      bucketName: Bucket,
      region: 'us-east-1',
    });

    expect(out.changes).toEqual([
      expect.stringMatching(/^converged bucket policy/),
    ]);
    const after = JSON.parse(
      (await client.send(new GetBucketPolicyCommand({ Bucket }))).Policy!,
    );
    expect(after.Statement.map((s: { Sid: string }) => s.Sid).sort()).toEqual([
      'AllowAuditRead',
      'MlopsDenyInsecureTransport',
      'MlopsDenyTlsBelow12',
    ]);
  });

  it('completes a run interrupted half-way (bucket created, nothing else)', async () => {
    const Bucket = 'state-interrupted';
    await s3('eu-west-1').send(
      new CreateBucketCommand({
        Bucket,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );

    const out = await runAction(action, {
      bucketName: Bucket,
      region: 'eu-west-1',
    });

    expect(out.created).toBe(false);
    expect(out.changes.length).toBeGreaterThanOrEqual(6);
    await expectHardened(Bucket, 'eu-west-1');
  });

  it('does not repeat a checkpointed create when the task is retried', async () => {
    const checkpoints = new Map();
    const input = { bucketName: 'state-retried', region: 'eu-west-1' };
    const first = await runAction(action, input, { checkpoints });
    recorder.clear();

    const retry = await runAction(action, input, { checkpoints });

    expect(first.created).toBe(true);
    expect(retry.changes).toEqual([]);
    expect(recorder.calls).not.toContain('CreateBucket');
  });

  it('refuses a bucket owned by another account, naming it and suggesting another name', async () => {
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::111111111111:role/other',
        RoleSessionName: 'other',
      }),
    );
    const foreign = motoS3Client(moto, {
      region: 'us-east-1',
      credentials: {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      },
    });
    await foreign.send(new CreateBucketCommand({ Bucket: 'state-foreign' }));
    const before = await moto.snapshot();
    recorder.clear();

    await expect(
      runAction(action, { bucketName: 'state-foreign', region: 'us-east-1' }),
    ).rejects.toThrow(
      /S3 bucket "state-foreign" already exists and is not owned by account 123456789012.*Choose another bucketName, for example "state-foreign-123456789012"/,
    );
    expect(recorder.mutating()).toEqual([]);
    expect(await moto.snapshot()).toEqual(before);
  });

  it('refuses a bucket that exists in another region', async () => {
    await s3('eu-west-1').send(
      new CreateBucketCommand({
        Bucket: 'state-elsewhere',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    await expect(
      runAction(action, { bucketName: 'state-elsewhere', region: 'us-east-1' }),
    ).rejects.toThrow(
      /exists in eu-west-1, not in the requested region us-east-1/,
    );
  });

  it('uses AES256 when asked', async () => {
    const out = await runAction(action, {
      bucketName: 'state-aes',
      region: 'us-east-1',
      encryption: 'AES256',
    });
    await expectHardened('state-aes', 'us-east-1', 'AES256');
    expect(out.changes).toContain(
      'converged default encryption of bucket "state-aes" (not set → AES256)',
    );
  });

  it('uses a named KMS key and writes it into the backend config', async () => {
    const kmsKeyId = 'alias/terraform-state';
    const kms = new KMSClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await kms.send(
      new CreateAliasCommand({
        AliasName: kmsKeyId,
        TargetKeyId: KeyMetadata!.KeyId,
      }),
    );
    const out = await runAction(action, {
      bucketName: 'state-kms',
      region: 'us-east-1',
      kmsKeyId,
    });
    const encryption = await s3().send(
      new GetBucketEncryptionCommand({ Bucket: 'state-kms' }),
    );
    const rule = encryption.ServerSideEncryptionConfiguration?.Rules?.[0];
    expect(rule?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: kmsKeyId,
    });
    expect(rule?.BucketKeyEnabled).toBe(true);
    expect(out.backendConfig).toContain(`kms_key_id   = "${kmsKeyId}"`);
    expect(out.backendConfig).toContain('encrypt      = true');
  });

  describe('legacy DynamoDB lock table', () => {
    const dynamodb = () =>
      new DynamoDBClient({
        region: 'eu-west-1',
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
      });

    it('is created only when asked, with PAY_PER_REQUEST, SSE and PITR', async () => {
      const out = await runAction(action, {
        bucketName: 'state-locked',
        region: 'eu-west-1',
        lockTable: 'terraform-locks',
      });

      const { Table } = await dynamodb().send(
        new DescribeTableCommand({ TableName: 'terraform-locks' }),
      );
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'LockID', KeyType: 'HASH' },
      ]);
      expect(Table?.SSEDescription?.Status).toBe('ENABLED');
      const backups = await dynamodb().send(
        new DescribeContinuousBackupsCommand({ TableName: 'terraform-locks' }),
      );
      expect(
        backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription
          ?.PointInTimeRecoveryStatus,
      ).toBe('ENABLED');
      expect(out.lockTable).toBe('terraform-locks');
      expect(out.backendConfig).toContain('dynamodb_table = "terraform-locks"');
      expect(out.changes).toContain(
        'created DynamoDB lock table "terraform-locks" (PAY_PER_REQUEST, SSE)',
      );
    });

    it('is not created by default', async () => {
      await runAction(action, {
        bucketName: 'state-unlocked',
        region: 'eu-west-1',
      });
      expect(recorder.calls.filter(c => /Table/.test(c))).toEqual([]);
    });

    it('has point-in-time recovery converged when it was turned off', async () => {
      const input = {
        bucketName: 'state-pitr',
        region: 'eu-west-1',
        lockTable: 'locks-pitr',
      };
      await runAction(action, input);
      await dynamodb().send(
        new UpdateContinuousBackupsCommand({
          TableName: 'locks-pitr',
          PointInTimeRecoverySpecification: {
            PointInTimeRecoveryEnabled: false,
          },
        }),
      );

      const out = await runAction(action, input);

      expect(out.changes).toEqual([
        'converged point-in-time recovery of DynamoDB lock table "locks-pitr" (DISABLED → ENABLED)',
      ]);
    });
  });

  describe('dry run', () => {
    it('makes no mutating call, leaves moto untouched and plans a create', async () => {
      const before = await moto.snapshot();

      const out = await runAction(
        action,
        {
          bucketName: 'state-dry',
          region: 'eu-west-1',
          lockTable: 'locks-dry',
        },
        { dryRun: true },
      );

      expect(recorder.calls.length).toBeGreaterThan(0);
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
      expect(out.plan).toEqual(
        expect.arrayContaining([
          'would create bucket "state-dry" in eu-west-1',
          'would converge versioning of bucket "state-dry" (not set → Enabled)',
          'would create DynamoDB lock table "locks-dry" (PAY_PER_REQUEST, SSE)',
        ]),
      );
      expect(out.created).toBe(false);
      expect(out.changes).toEqual([]);
      expect(out.bucketArn).toBe('arn:aws:s3:::state-dry');
    });

    it('reports an existing, compliant bucket as exists and drift as would converge', async () => {
      await runAction(action, {
        bucketName: 'state-dry-existing',
        region: 'us-east-1',
      });
      const exists = await runAction(
        action,
        { bucketName: 'state-dry-existing', region: 'us-east-1' },
        { dryRun: true },
      );
      expect(exists.plan).toEqual([
        expect.stringMatching(/^exists: bucket "state-dry-existing"/),
      ]);

      await s3().send(
        new PutBucketVersioningCommand({
          Bucket: 'state-dry-existing',
          VersioningConfiguration: { Status: 'Suspended' },
        }),
      );
      const before = await moto.snapshot();
      recorder.clear();
      const drift = await runAction(
        action,
        { bucketName: 'state-dry-existing', region: 'us-east-1' },
        { dryRun: true },
      );
      expect(drift.plan).toEqual([
        'would converge versioning of bucket "state-dry-existing" (Suspended → Enabled)',
      ]);
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
    });

    it('succeeds without any credentials and says the plan is unknown', async () => {
      const out = await withoutAwsCredentials(() =>
        runAction(
          createTfstateEnsureAction({
            config: new ConfigReader({
              mlops: { aws: { endpoint: moto.endpoint } },
            }),
          }),
          { bucketName: 'state-nocreds', region: 'us-east-1' },
          { dryRun: true },
        ),
      );
      expect(out.plan).toEqual([
        expect.stringMatching(/^unknown: no AWS credentials are configured/),
      ]);
      expect(out.bucketName).toBe('state-nocreds');
      expect(out.backendConfig).toContain('bucket       = "state-nocreds"');
    });
  });

  it('names the account whose credentials are configured for another account', async () => {
    const factory = AwsClientFactory.fromConfig(
      new ConfigReader({
        aws: { accounts: [{ accountId: '999999999999', ...MOTO_CREDENTIALS }] },
        mlops: { aws: { endpoint: moto.endpoint } },
      }),
    );
    const mismatched = tfstateEnsureAction(factory);
    await expect(
      runAction(mismatched, {
        bucketName: 'state-wrong-account',
        region: 'us-east-1',
        accountId: '999999999999',
      }),
    ).rejects.toThrow(
      /credentials configured for AWS account 999999999999 belong to account 123456789012/,
    );
  });
});
