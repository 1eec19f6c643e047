import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { MOTO_CREDENTIALS, startMotoServer } from '@internal/moto-server';
import { seedPlatformPolicies } from './platformPolicies';
import { allowedActions, coveredBy } from './verify/boundaryCoverage';

jest.setTimeout(60_000);

describe('seedPlatformPolicies', () => {
  let moto: Awaited<ReturnType<typeof startMotoServer>>;
  beforeAll(async () => {
    moto = await startMotoServer({ awsManagedPolicies: true });
  });
  afterAll(() => moto?.stop());

  it('refuses a moto without the AWS-managed policies, saying how to start it', async () => {
    const bare = await startMotoServer();
    try {
      await expect(seedPlatformPolicies(bare.endpoint)).rejects.toThrow(
        /has no arn:aws:iam::aws:policy\/ReadOnlyAccess.*MOTO_IAM_LOAD_MANAGED_POLICIES=true/,
      );
    } finally {
      await bare.stop();
    }
  });

  it('creates the boundary and the Terraform policy the render config names, once', async () => {
    const arns = await seedPlatformPolicies(moto.endpoint);
    expect(arns).toEqual([
      'arn:aws:iam::123456789012:policy/ml-ci-boundary',
      'arn:aws:iam::123456789012:policy/ml-ci-terraform',
    ]);
    await expect(seedPlatformPolicies(moto.endpoint)).resolves.toEqual(arns);

    const iam = new IAMClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: MOTO_CREDENTIALS,
    });
    const boundary = await iam.send(
      new GetPolicyCommand({ PolicyArn: arns[0] }),
    );
    const version = await iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: arns[0],
        VersionId: boundary.Policy!.DefaultVersionId,
      }),
    );
    const document = JSON.parse(
      decodeURIComponent(version.PolicyVersion!.Document!),
    );
    expect(document.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
        Condition: {
          StringNotEquals: { 'iam:PermissionsBoundary': arns[0] },
        },
      }),
    );
    // Terraform writes its state under the state bucket's default SSE-KMS: the boundary must allow it.
    const allowed = allowedActions(JSON.stringify(document));
    expect(
      ['kms:Decrypt', 'kms:GenerateDataKey'].filter(
        action => !coveredBy(allowed, action),
      ),
    ).toEqual([]);
    iam.destroy();
  });
});
