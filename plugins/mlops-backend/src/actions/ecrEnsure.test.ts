import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  PutRegistryScanningConfigurationCommand,
} from '@aws-sdk/client-ecr';
import {
  CallRecorder,
  motoConfig,
  recordingFactory,
  runAction,
} from '../__testUtils__/actionHarness';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { createEcrEnsureAction, ecrEnsureAction } from './ecrEnsure';

jest.setTimeout(60_000);

describe('mlops:ecr:ensure against moto', () => {
  let moto: MotoServer;
  const recorder = new CallRecorder();
  let action: ReturnType<typeof ecrEnsureAction>;
  const ecr = (region = 'eu-west-1') =>
    new ECRClient({
      region,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });

  beforeAll(async () => {
    moto = await startMotoServer();
    action = ecrEnsureAction(recordingFactory(moto.endpoint, recorder));
  });
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    recorder.clear();
  });

  async function readBack(repositoryName: string, region = 'eu-west-1') {
    const client = ecr(region);
    const { repositories } = await client.send(
      new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }),
    );
    const repository = repositories![0];
    const lifecycle = await client.send(
      new GetLifecyclePolicyCommand({ repositoryName }),
    );
    const tags = await client.send(
      new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }),
    );
    return {
      repository,
      lifecycle: JSON.parse(lifecycle.lifecyclePolicyText!),
      tags: Object.fromEntries((tags.tags ?? []).map(t => [t.Key, t.Value])),
    };
  }

  it('creates a hardened repository with the defaults', async () => {
    const out = await runAction(action, {
      repositoryName: 'ml/churn-model',
      region: 'eu-west-1',
      tags: { team: 'ml' },
    });

    const { repository, lifecycle, tags } = await readBack('ml/churn-model');
    expect(repository.imageTagMutability).toBe('IMMUTABLE');
    expect(repository.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(repository.encryptionConfiguration?.encryptionType).toBe('KMS');
    expect(lifecycle.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 14,
        },
        action: { type: 'expire' },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: {
          tagStatus: 'any',
          countType: 'imageCountMoreThan',
          countNumber: 30,
        },
      }),
    ]);
    expect(tags).toEqual({ team: 'ml', 'managed-by': 'backstage-mlops' });
    expect(out).toMatchObject({
      repositoryUri: repository.repositoryUri,
      repositoryArn: repository.repositoryArn,
      registryId: '123456789012',
      created: true,
      warnings: [],
    });
    expect(out.repositoryUri).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/churn-model',
    );
    expect(out.changes[0]).toMatch(
      /^created ECR repository "ml\/churn-model" \(IMMUTABLE, scan on push on, KMS encryption\)$/,
    );
  });

  it('works registered by hand from app-config alone', async () => {
    const byHand = createEcrEnsureAction({ config: motoConfig(moto.endpoint) });
    const outputs = await runAction(byHand, {
      repositoryName: 'ml/by-hand',
      region: 'eu-west-1',
    });
    expect(outputs.created).toBe(true);
    expect((await readBack('ml/by-hand')).repository.repositoryUri).toBe(
      outputs.repositoryUri,
    );
  });

  it('changes nothing on a second run', async () => {
    const input = {
      repositoryName: 'twice',
      region: 'us-east-1',
      pullPrincipals: ['210987654321'],
    };
    await runAction(action, input);
    const before = await moto.snapshot();
    recorder.clear();

    const out = await runAction(action, input);

    expect(out.created).toBe(false);
    expect(out.changes).toEqual([]);
    expect(recorder.mutating()).toEqual([]);
    expect(await moto.snapshot()).toEqual(before);
  });

  it('converges drift: mutable tags, scan off, lifecycle removed', async () => {
    const input = { repositoryName: 'drifted', region: 'eu-west-1' };
    await runAction(action, input);
    const client = ecr();
    await client.send(
      new PutImageTagMutabilityCommand({
        repositoryName: 'drifted',
        imageTagMutability: 'MUTABLE',
      }),
    );
    await client.send(
      new PutImageScanningConfigurationCommand({
        repositoryName: 'drifted',
        imageScanningConfiguration: { scanOnPush: false },
      }),
    );
    await client.send(
      new DeleteLifecyclePolicyCommand({ repositoryName: 'drifted' }),
    );

    const out = await runAction(action, input);

    expect(out.changes).toEqual([
      'converged tag mutability of ECR repository "drifted" (MUTABLE → IMMUTABLE)',
      'converged scan on push of ECR repository "drifted" (false → true)',
      'converged lifecycle policy of ECR repository "drifted" (not set → keep last 30, expire untagged after 14 days)',
    ]);
    const { repository, lifecycle } = await readBack('drifted');
    expect(repository.imageTagMutability).toBe('IMMUTABLE');
    expect(repository.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(lifecycle.rules).toHaveLength(2);
  });

  it('grants pull to principals, then removes them when the list is emptied', async () => {
    await runAction(action, {
      repositoryName: 'shared',
      region: 'eu-west-1',
      pullPrincipals: [
        '210987654321',
        'arn:aws:iam::123456789012:role/eks-nodes',
      ],
    });
    const policy = JSON.parse(
      (
        await ecr().send(
          new GetRepositoryPolicyCommand({ repositoryName: 'shared' }),
        )
      ).policyText!,
    );
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Sid: 'MlopsAllowPull',
        Effect: 'Allow',
        Principal: {
          AWS: [
            'arn:aws:iam::123456789012:role/eks-nodes',
            'arn:aws:iam::210987654321:root',
          ],
        },
      }),
    ]);

    const out = await runAction(action, {
      repositoryName: 'shared',
      region: 'eu-west-1',
      pullPrincipals: [],
    });

    expect(out.changes).toEqual([
      'converged pull permissions of ECR repository "shared" (different principals → none)',
    ]);
    await expect(
      ecr().send(new GetRepositoryPolicyCommand({ repositoryName: 'shared' })),
    ).rejects.toMatchObject({
      name: 'RepositoryPolicyNotFoundException',
    });
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])(
    "in %s grants pull to an account as the root of the region's partition %s",
    async (region, partition) => {
      await runAction(action, {
        repositoryName: 'shared',
        region,
        pullPrincipals: [
          '210987654321',
          `arn:${partition}:iam::123456789012:role/eks-nodes`,
        ],
      });

      const policy = JSON.parse(
        (
          await ecr(region).send(
            new GetRepositoryPolicyCommand({ repositoryName: 'shared' }),
          )
        ).policyText!,
      );
      expect(policy.Statement).toEqual([
        expect.objectContaining({
          Sid: 'MlopsAllowPull',
          Principal: {
            AWS: [
              `arn:${partition}:iam::123456789012:role/eks-nodes`,
              `arn:${partition}:iam::210987654321:root`,
            ],
          },
        }),
      ]);
    },
  );

  it('encrypts with a named KMS key, once it has checked the key', async () => {
    const kms = new KMSClient({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await runAction(action, {
      repositoryName: 'keyed',
      region: 'eu-west-1',
      kmsKeyId: KeyMetadata!.Arn!,
    });
    const { repository } = await readBack('keyed');
    expect(repository.encryptionConfiguration).toEqual({
      encryptionType: 'KMS',
      kmsKey: KeyMetadata!.Arn,
    });
    expect(recorder.calls.indexOf('DescribeKey')).toBeLessThan(
      recorder.calls.indexOf('CreateRepository'),
    );
  });

  describe('with enhanced scanning (Amazon Inspector) on the registry', () => {
    const scanWith = (filter: string) =>
      ecr().send(
        new PutRegistryScanningConfigurationCommand({
          scanType: 'ENHANCED',
          rules: [
            {
              scanFrequency: 'SCAN_ON_PUSH',
              repositoryFilters: [{ filter, filterType: 'WILDCARD' }],
            },
          ],
        }),
      );

    it('warns when no rule covers the repository, as scanOnPush then does nothing', async () => {
      await scanWith('fraud-*');
      const out = await runAction(action, {
        repositoryName: 'ml/churn-model',
        region: 'eu-west-1',
      });
      expect(out.warnings).toEqual([
        expect.stringMatching(
          /^The registry uses enhanced scanning \(Amazon Inspector\), and none of its scanning rules has a filter matching "ml\/churn-model": its images will not be scanned/,
        ),
      ]);
    });

    it('says nothing when a rule covers it', async () => {
      await scanWith('ml/*');
      const out = await runAction(action, {
        repositoryName: 'ml/churn-model',
        region: 'eu-west-1',
      });
      expect(out.warnings).toEqual([]);
    });
  });

  it('applies a custom lifecycle and mutable tags when asked', async () => {
    await runAction(action, {
      repositoryName: 'custom',
      region: 'eu-west-1',
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
      encryption: 'AES256',
      lifecycle: { keepLastTagged: 5, expireUntaggedAfterDays: 2 },
    });
    const { repository, lifecycle } = await readBack('custom');
    expect(repository.imageTagMutability).toBe('MUTABLE');
    expect(repository.imageScanningConfiguration?.scanOnPush).toBe(false);
    expect(repository.encryptionConfiguration?.encryptionType).toBe('AES256');
    expect(lifecycle.rules.map((r: any) => r.selection.countNumber)).toEqual([
      2, 5,
    ]);
  });

  it('keeps the images of each protected tag prefix apart, the first listed ahead, and converges an older policy to it', async () => {
    await runAction(action, {
      repositoryName: 'deployed',
      region: 'eu-west-1',
    });
    const input = {
      repositoryName: 'deployed',
      region: 'eu-west-1',
      lifecycle: { keepLastTagged: 20, protectedTagPrefixes: ['prod', 'dev'] },
    };

    const out = await runAction(action, input);
    const again = await runAction(action, input);

    expect(out.changes).toEqual([
      'converged lifecycle policy of ECR repository "deployed" (different rules → keep last 20 per tag prefix prod*, dev* and of the rest, expire untagged after 14 days)',
    ]);
    expect(again.changes).toEqual([]);
    const { lifecycle } = await readBack('deployed');
    // ECR's rule order: untagged first (it matches no tag), `any` last.
    expect(
      lifecycle.rules.map((r: any) => [
        r.rulePriority,
        r.selection.tagStatus,
        r.selection.tagPrefixList,
        r.selection.countType,
        r.selection.countNumber,
      ]),
    ).toEqual([
      [1, 'untagged', undefined, 'sinceImagePushed', 14],
      [2, 'tagged', ['prod'], 'imageCountMoreThan', 20],
      [3, 'tagged', ['dev'], 'imageCountMoreThan', 20],
      [4, 'any', undefined, 'imageCountMoreThan', 20],
    ]);
  });

  it('warns, without failing, when existing encryption differs (ECR cannot change it)', async () => {
    await ecr().send(
      new CreateRepositoryCommand({
        repositoryName: 'legacy',
        encryptionConfiguration: { encryptionType: 'AES256' },
        tags: [{ Key: 'managed-by', Value: 'backstage-mlops' }],
      }),
    );

    const out = await runAction(action, {
      repositoryName: 'legacy',
      region: 'eu-west-1',
    });

    expect(out.warnings).toEqual([
      expect.stringMatching(
        /uses AES256 encryption, not KMS; ECR cannot change/,
      ),
    ]);
    expect(out.created).toBe(false);
  });

  it('completes a run interrupted after the create', async () => {
    // What the action's create leaves when the run stops right after it.
    await ecr().send(
      new CreateRepositoryCommand({
        repositoryName: 'half-made',
        tags: [
          { Key: 'managed-by', Value: 'backstage-mlops' },
          { Key: 'service', Value: 'churn' },
        ],
      }),
    );

    const out = await runAction(action, {
      repositoryName: 'half-made',
      region: 'eu-west-1',
      tags: { service: 'churn' },
    });

    expect(out.created).toBe(false);
    const { repository, lifecycle, tags } = await readBack('half-made');
    expect(repository.imageTagMutability).toBe('IMMUTABLE');
    expect(repository.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(lifecycle.rules).toHaveLength(2);
    expect(tags['managed-by']).toBe('backstage-mlops');
    expect(out.warnings).toHaveLength(1);
  });

  describe('a repository it did not make', () => {
    /** Service churn's run, naming a repository that already exists. */
    const CHURN_INPUT = {
      repositoryName: 'shared-images',
      region: 'eu-west-1',
      tags: { service: 'churn' },
    };
    const foreignLifecycle = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: {
            tagStatus: 'any',
            countType: 'imageCountMoreThan',
            countNumber: 500,
          },
          action: { type: 'expire' },
        },
      ],
    });

    async function createForeign(tags: Record<string, string>) {
      const client = ecr();
      await client.send(
        new CreateRepositoryCommand({
          repositoryName: 'shared-images',
          imageTagMutability: 'MUTABLE',
          tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      await client.send(
        new PutLifecyclePolicyCommand({
          repositoryName: 'shared-images',
          lifecyclePolicyText: foreignLifecycle,
        }),
      );
    }

    async function expectUntouched() {
      const { repository, lifecycle } = await readBack('shared-images');
      expect(repository.imageTagMutability).toBe('MUTABLE');
      expect(JSON.stringify(lifecycle)).toBe(foreignLifecycle);
    }

    it('refuses an untagged repository before changing anything', async () => {
      await createForeign({ team: 'payments' });
      recorder.clear();

      await expect(runAction(action, CHURN_INPUT)).rejects.toThrow(
        /ECR repository "shared-images" already exists and is not tagged managed-by=backstage-mlops service=churn .*Choose another repositoryName .*Nothing was changed/,
      );
      expect(recorder.mutating()).toEqual([]);
      await expectUntouched();
    });

    it("refuses another service's repository, in a dry run too", async () => {
      await createForeign({
        'managed-by': 'backstage-mlops',
        service: 'fraud',
      });
      recorder.clear();

      await expect(runAction(action, CHURN_INPUT)).rejects.toThrow(
        /it lacks service=churn/,
      );
      await expect(
        runAction(action, CHURN_INPUT, { dryRun: true }),
      ).rejects.toThrow(/it lacks service=churn/);
      expect(recorder.mutating()).toEqual([]);
      await expectUntouched();
    });

    it('converges it once it is tagged as this service', async () => {
      await createForeign({
        'managed-by': 'backstage-mlops',
        service: 'churn',
      });

      const out = await runAction(action, CHURN_INPUT);

      expect(out.created).toBe(false);
      const { repository, lifecycle } = await readBack('shared-images');
      expect(repository.imageTagMutability).toBe('IMMUTABLE');
      expect(lifecycle.rules).toHaveLength(2);
    });
  });

  describe('dry run', () => {
    it('makes no mutating call, leaves moto untouched and derives the URI', async () => {
      const before = await moto.snapshot();

      const out = await runAction(
        action,
        { repositoryName: 'dry', region: 'eu-west-1' },
        { dryRun: true },
      );

      expect(recorder.calls).toContain('DescribeRepositories');
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
      expect(out.plan).toEqual([
        'would create ECR repository "dry" (IMMUTABLE, scan on push on, KMS encryption)',
        'would converge lifecycle policy of ECR repository "dry" (not set → keep last 30, expire untagged after 14 days)',
      ]);
      expect(out.repositoryUri).toBe(
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/dry',
      );
      expect(out.created).toBe(false);
    });

    it('reports drift on an existing repository without touching it', async () => {
      await runAction(action, {
        repositoryName: 'dry-existing',
        region: 'eu-west-1',
      });
      await ecr().send(
        new PutImageTagMutabilityCommand({
          repositoryName: 'dry-existing',
          imageTagMutability: 'MUTABLE',
        }),
      );
      const before = await moto.snapshot();
      recorder.clear();

      const out = await runAction(
        action,
        { repositoryName: 'dry-existing', region: 'eu-west-1' },
        { dryRun: true },
      );

      expect(out.plan).toEqual([
        'would converge tag mutability of ECR repository "dry-existing" (MUTABLE → IMMUTABLE)',
      ]);
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
    });
  });
});
