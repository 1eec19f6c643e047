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

  describe('the Terraform policy', () => {
    let boundary: { Statement: Array<Record<string, unknown>> };
    let terraform: { Statement: Array<Record<string, unknown>> };
    beforeAll(async () => {
      const [boundaryArn, terraformArn] = await seedPlatformPolicies(
        moto.endpoint,
      );
      const iam = new IAMClient({
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: MOTO_CREDENTIALS,
      });
      const read = async (PolicyArn: string) => {
        const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn }));
        const { PolicyVersion } = await iam.send(
          new GetPolicyVersionCommand({
            PolicyArn,
            VersionId: Policy!.DefaultVersionId,
          }),
        );
        return JSON.parse(decodeURIComponent(PolicyVersion!.Document!));
      };
      try {
        boundary = await read(boundaryArn);
        terraform = await read(terraformArn);
      } finally {
        iam.destroy();
      }
    });
    const statement = (sid: string) =>
      terraform.Statement.find(s => s.Sid === sid);

    // moto enforces no IAM: these are what a real account refuses without them.
    it("manages the cluster's IAM OIDC provider (IRSA, always in fargate mode), and only EKS's", () => {
      expect(statement('ClusterOidcProvider')).toEqual({
        Sid: 'ClusterOidcProvider',
        Effect: 'Allow',
        Action: [
          'iam:CreateOpenIDConnectProvider',
          'iam:DeleteOpenIDConnectProvider',
          'iam:TagOpenIDConnectProvider',
          'iam:UntagOpenIDConnectProvider',
          'iam:UpdateOpenIDConnectProviderThumbprint',
          'iam:AddClientIDToOpenIDConnectProvider',
          'iam:RemoveClientIDFromOpenIDConnectProvider',
        ],
        Resource: 'arn:aws:iam::*:oidc-provider/oidc.eks.*',
      });
    });

    it("creates EKS's service-linked roles on an account's first cluster, node group and Fargate profile, no others", () => {
      expect(statement('EksServiceLinkedRoles')).toEqual({
        Sid: 'EksServiceLinkedRoles',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        Condition: {
          StringEquals: {
            'iam:AWSServiceName': [
              'eks.amazonaws.com',
              'eks-nodegroup.amazonaws.com',
              'eks-fargate.amazonaws.com',
            ],
          },
        },
      });
    });

    it("updates the roles' descriptions and the policies' tags it manages", () => {
      expect(statement('ServiceStack')?.Action).toEqual(
        expect.arrayContaining([
          'iam:UpdateRoleDescription',
          'iam:UpdateRole',
          'iam:UntagPolicy',
        ]),
      );
    });

    it('allows nothing its boundary does not: the Terraform role is created under it', () => {
      const allowedByBoundary = allowedActions(JSON.stringify(boundary));
      expect(
        allowedActions(JSON.stringify(terraform)).filter(
          action => !coveredBy(allowedByBoundary, action),
        ),
      ).toEqual([]);
    });

    it("denies removing a role's boundary on every role", () => {
      expect(boundary.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'iam:DeleteRolePermissionsBoundary',
          Resource: '*',
        }),
      );
    });
  });
});
