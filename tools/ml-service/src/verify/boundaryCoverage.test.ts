import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import {
  actionsOutsideBoundaries,
  allowedActions,
  boundaryProblem,
  coveredBy,
} from './boundaryCoverage';

jest.setTimeout(60_000);

const policy = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('coveredBy', () => {
  it.each([
    [['ec2:*'], 'ec2:DescribeInstances', true],
    [['ec2:*'], 'ec2:Describe*', true],
    [['EC2:describe*'], 'ec2:DescribeInstances', true],
    [['acm:DescribeCertificate'], 'acm:GetCertificate', false],
    [['kms:Decrypt'], 'kms:*', false],
    [['s3:Get?bject'], 's3:GetObject', true],
    [['s3:*'], 's3express:CreateSession', false],
  ])('%j covers %s: %s', (boundary, action, covered) => {
    expect(coveredBy(boundary, action)).toBe(covered);
  });
});

describe('allowedActions', () => {
  it('reads Allow statements, one or many, and leaves Deny out', () => {
    expect(
      allowedActions(
        encodeURIComponent(
          policy(
            { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
            { Effect: 'Allow', Action: ['s3:GetObject', 'acm:Get*'] },
            { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
          ),
        ),
      ),
    ).toEqual(['ec2:*', 's3:GetObject', 'acm:Get*']);
    expect(
      allowedActions(
        JSON.stringify({
          Statement: { Effect: 'Allow', Action: 'eks:DescribeCluster' },
        }),
      ),
    ).toEqual(['eks:DescribeCluster']);
  });
});

describe('actionsOutsideBoundaries (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;

  beforeAll(async () => {
    moto = await startMotoServer({ awsManagedPolicies: true });
    iam = new IAMClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: MOTO_CREDENTIALS,
    });
  });
  afterAll(async () => {
    iam?.destroy();
    await moto?.stop();
  });

  const trust = policy({
    Effect: 'Allow',
    Principal: { Service: 'ec2.amazonaws.com' },
    Action: 'sts:AssumeRole',
  });

  it("names each action of a bounded role's inline and attached policies that its boundary does not allow, and no unbounded role or Backstage CI role", async () => {
    const { Policy: boundary } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'test-boundary',
        PolicyDocument: policy(
          {
            Effect: 'Allow',
            Action: ['ec2:*', 'eks:*', 'ecr:*'],
            Resource: '*',
          },
          { Effect: 'Deny', Action: 'acm:*', Resource: '*' },
        ),
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'bounded',
        AssumeRolePolicyDocument: trust,
        PermissionsBoundary: boundary!.Arn,
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'bounded',
        PolicyName: 'deploy',
        PolicyDocument: policy({
          Effect: 'Allow',
          Action: ['eks:DescribeCluster', 'acm:GetCertificate'],
          Resource: '*',
        }),
      }),
    );
    // An AWS-managed policy, as the node role has: its eks-auth action is outside this boundary.
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'bounded',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'unbounded',
        AssumeRolePolicyDocument: trust,
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'unbounded',
        PolicyName: 'anything',
        PolicyDocument: policy({
          Effect: 'Allow',
          Action: 'sqs:*',
          Resource: '*',
        }),
      }),
    );

    // The plan role mlops:github-oidc:ensure makes: ReadOnlyAccess, for the boundary to cut down.
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'churn-ci-plan',
        AssumeRolePolicyDocument: trust,
        PermissionsBoundary: boundary!.Arn,
        Tags: [{ Key: 'mlops:github-repository', Value: 'acme/churn' }],
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'churn-ci-plan',
        PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );

    const outside = await actionsOutsideBoundaries(moto.endpoint);
    expect(outside).toEqual([
      {
        role: 'bounded',
        policy: 'deploy',
        action: 'acm:GetCertificate',
        boundaryArn: boundary!.Arn,
      },
      {
        role: 'bounded',
        policy: 'AmazonEKSWorkerNodePolicy',
        action: 'eks-auth:AssumeRoleForPodIdentity',
        boundaryArn: boundary!.Arn,
      },
    ]);
    expect(boundaryProblem(outside)).toContain(
      `  bounded (deploy): acm:GetCertificate — not in ${boundary!.Arn}`,
    );
    expect(boundaryProblem([])).toBeUndefined();
  });
});
