import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfigReader } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { runAction } from '../__testUtils__/actionHarness';
import { MOTO_CREDENTIALS } from '@internal/moto-server';
import { createMlServiceValidateAction } from '../actions/mlServiceValidate';
import { createTfstateEnsureAction } from '../actions/tfstateEnsure';
import { AwsClientFactory } from './AwsClientFactory';
import { awsDenialOf, explainAccessDenied, iamActionFor } from './awsErrors';

const CALLER = 'arn:aws:iam::123456789012:user/ci';
const FOREIGN_ROLE = 'arn:aws:iam::210987654321:role/backstage';

/** AWS's query-protocol error body (STS, IAM), as AWS sends it. */
function queryProtocolError(code: string, message: string): string {
  return (
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`
  );
}

/**
 * An AWS look-alike for a role that may only see that a bucket exists: STS
 * answers GetCallerIdentity, HeadBucket succeeds, every other call is denied
 * as AWS denies it (ACM, a JSON protocol, in JSON; AssumeRole and IAM's
 * CreateRole, refused for its tags, with AWS's own wording).
 */
function startDenyingServer(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      if (
        String(req.headers['x-amz-target']).startsWith('CertificateManager.')
      ) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            __type: 'AccessDeniedException',
            message: 'not authorized to perform: acm:DescribeCertificate',
          }),
        );
        return;
      }
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'x-amz-bucket-region': 'eu-west-1' });
        res.end();
        return;
      }
      if (req.method === 'POST' && body.includes('Action=AssumeRole')) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          queryProtocolError(
            'AccessDenied',
            `User: ${CALLER} is not authorized to perform: sts:AssumeRole on resource: ${FOREIGN_ROLE}`,
          ),
        );
        return;
      }
      if (req.method === 'POST' && body.includes('Action=CreateRole')) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          queryProtocolError(
            'AccessDenied',
            `User: ${CALLER} is not authorized to perform: iam:TagRole on resource: ` +
              'arn:aws:iam::123456789012:role/churn-ci-plan because no identity-based policy allows the iam:TagRole action',
          ),
        );
        return;
      }
      if (req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>' +
            '<Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>',
        );
        return;
      }
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
      );
    });
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () => resolve(server)),
  );
}

describe('access denied', () => {
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = await startDenyingServer();
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise(resolve => server.close(resolve));
  });

  it('maps operations to the IAM actions they need', () => {
    expect(iamActionFor('S3Client', 'GetBucketEncryptionCommand')).toBe(
      's3:GetEncryptionConfiguration',
    );
    expect(iamActionFor('S3Client', 'PutPublicAccessBlockCommand')).toBe(
      's3:PutBucketPublicAccessBlock',
    );
    expect(iamActionFor('S3Client', 'HeadBucketCommand')).toBe('s3:ListBucket');
    expect(iamActionFor('S3Client', 'ListObjectsV2Command')).toBe(
      's3:ListBucket',
    );
    expect(iamActionFor('ECRClient', 'PutLifecyclePolicyCommand')).toBe(
      'ecr:PutLifecyclePolicy',
    );
    expect(iamActionFor('KMSClient', 'DescribeKeyCommand')).toBe(
      'kms:DescribeKey',
    );
    expect(
      iamActionFor('DynamoDBClient', 'UpdateContinuousBackupsCommand'),
    ).toBe('dynamodb:UpdateContinuousBackups');
  });

  it('leaves other errors untouched', () => {
    const error = Object.assign(new Error('nope'), { name: 'NoSuchBucket' });
    expect(
      explainAccessDenied(error, 'S3Client', 'GetBucketPolicyCommand'),
    ).toBe(error);
  });

  it("reads the action, resource and reason from AWS's message", () => {
    expect(
      awsDenialOf({
        message: `User: ${CALLER} is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/x with an explicit deny in a service control policy`,
      }),
    ).toEqual({
      action: 'iam:CreateRole',
      resource: 'arn:aws:iam::123456789012:role/x',
      reason: 'with an explicit deny in a service control policy',
    });
    expect(
      awsDenialOf({
        message: `User: ${CALLER} is not authorized to perform: s3:PutBucketOwnershipControls on resource: "arn:aws:s3:::state" because no identity-based policy allows the s3:PutBucketOwnershipControls action`,
      }),
    ).toEqual({
      action: 's3:PutBucketOwnershipControls',
      resource: 'arn:aws:s3:::state',
      reason:
        'because no identity-based policy allows the s3:PutBucketOwnershipControls action',
    });
    expect(awsDenialOf({ message: 'Access Denied' })).toEqual({});
    expect(
      awsDenialOf({
        message:
          'You are not authorized to perform this operation. Encoded authorization failure message: abc',
      }),
    ).toEqual({});
  });

  it('names the action AWS denied, not the one called, with its reason and remedy', () => {
    const denied = (message: string) =>
      Object.assign(new Error(message), { name: 'AccessDenied' });
    const tagOnCreate = explainAccessDenied(
      denied(
        `User: ${CALLER} is not authorized to perform: ecr:TagResource on resource: arn:aws:ecr:eu-west-1:123456789012:repository/churn because no identity-based policy allows the ecr:TagResource action`,
      ),
      'ECRClient',
      'CreateRepositoryCommand',
      { repositoryName: 'churn' },
    ) as Error;
    // NotAllowedError appends AWS's own error as "; caused by …".
    expect(tagOnCreate.message.split('; caused by ')[0]).toBe(
      'AWS denied ecr:TagResource on "churn" (because no identity-based policy allows the ecr:TagResource action). ' +
        'Allow ecr:TagResource for the credentials Backstage uses (aws.mainAccount or aws.accounts in app-config).',
    );

    const scp = explainAccessDenied(
      denied(
        `User: ${CALLER} is not authorized to perform: s3:CreateBucket on resource: "arn:aws:s3:::state" with an explicit deny in a service control policy`,
      ),
      'S3Client',
      'CreateBucketCommand',
      { Bucket: 'state' },
    ) as Error;
    expect(scp.message).toMatch(
      /^AWS denied s3:CreateBucket on "state" \(with an explicit deny in a service control policy\)\. Allowing s3:CreateBucket in Backstage's own policies is not enough/,
    );

    const boundary = explainAccessDenied(
      denied(
        `User: ${CALLER} is not authorized to perform: iam:CreatePolicy on resource: arn:aws:iam::123456789012:policy/p because no permissions boundary allows the iam:CreatePolicy action`,
      ),
      'IAMClient',
      'CreatePolicyCommand',
    ) as Error;
    expect(boundary.message).toMatch(
      /Allow iam:CreatePolicy in the permissions boundary of the credentials Backstage uses/,
    );
  });

  it('names the denied IAM action over real HTTP', async () => {
    const factory = AwsClientFactory.fromConfig(
      new ConfigReader({
        aws: { mainAccount: MOTO_CREDENTIALS },
        mlops: { aws: { endpoint } },
      }),
    );
    const clients = await factory.create({ region: 'eu-west-1' });
    const call = clients.s3.send(
      new GetBucketEncryptionCommand({ Bucket: 'locked' }),
    );
    await expect(call).rejects.toThrow(NotAllowedError);
    await expect(
      clients.s3.send(new GetBucketEncryptionCommand({ Bucket: 'locked' })),
    ).rejects.toThrow(
      'AWS denied s3:GetEncryptionConfiguration on "locked". Allow s3:GetEncryptionConfiguration for the credentials Backstage uses',
    );
  });

  it('names the tagging action when a create call is refused for its tags, over real HTTP', async () => {
    const factory = AwsClientFactory.fromConfig(
      new ConfigReader({
        aws: { mainAccount: MOTO_CREDENTIALS },
        mlops: { aws: { endpoint } },
      }),
    );
    const clients = await factory.create({ region: 'eu-west-1' });
    await expect(
      clients.iam.send(
        new CreateRoleCommand({
          RoleName: 'churn-ci-plan',
          AssumeRolePolicyDocument: '{}',
          Tags: [{ Key: 'mlops/service', Value: 'churn' }],
        }),
      ),
    ).rejects.toThrow(
      'AWS denied iam:TagRole on "churn-ci-plan" (because no identity-based policy allows the iam:TagRole action). Allow iam:TagRole',
    );
  });

  it('points to the trust policy when the role for an account cannot be assumed, over real HTTP', async () => {
    // As aws.accounts with a roleName does: the service call's credentials come from AssumeRole.
    const sts = new STSClient({
      region: 'eu-west-1',
      endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const assumeRole = async () => {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({ RoleArn: FOREIGN_ROLE, RoleSessionName: 's' }),
      );
      return {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
      };
    };
    const factory = new AwsClientFactory(
      {
        getCredentialProvider: async () => ({
          sdkCredentialProvider: assumeRole,
        }),
      },
      { endpoint, forcePathStyle: true },
    );
    const clients = await factory.create({ region: 'eu-west-1' });
    try {
      const call = clients.s3.send(
        new GetBucketEncryptionCommand({ Bucket: 'locked' }),
      );
      await expect(call).rejects.toThrow(NotAllowedError);
      await expect(call).rejects.toThrow(
        `AWS denied sts:AssumeRole on ${FOREIGN_ROLE}. Backstage could not assume the role: its trust policy must trust the credentials Backstage uses`,
      );
    } finally {
      sts.destroy();
    }
  });

  it('fails a real run naming the action, and reports unknown in a dry run', async () => {
    const action = createTfstateEnsureAction({
      config: new ConfigReader({
        aws: { mainAccount: MOTO_CREDENTIALS },
        mlops: { aws: { endpoint } },
      }),
    });
    const input = { bucketName: 'locked-bucket', region: 'eu-west-1' };
    await expect(runAction(action, input)).rejects.toThrow(
      /^AWS denied s3:Get\w+ on "locked-bucket"/,
    );

    const dry = await runAction(action, input, { dryRun: true });
    expect(dry.plan).toEqual([
      expect.stringMatching(
        /^unknown: the current state could not be read: AWS denied s3:Get\w+ on "locked-bucket"/,
      ),
    ]);
  });

  it('fails a run whose certificate ACM will not describe, naming the action; a dry run says it was not checked', async () => {
    const action = createMlServiceValidateAction({
      config: new ConfigReader({
        aws: {
          accounts: [{ accountId: '123456789012', ...MOTO_CREDENTIALS }],
        },
        mlops: { aws: { endpoint } },
      }),
    });
    const certificateArn =
      'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
    const input = {
      awsAccountId: '123456789012',
      awsRegion: 'eu-west-1',
      certificateArn,
    };
    await expect(runAction(action, input)).rejects.toThrow(
      `AWS denied acm:DescribeCertificate on "${certificateArn}". Allow acm:DescribeCertificate for the credentials Backstage uses`,
    );

    const log: string[] = [];
    await expect(
      runAction(action, input, { dryRun: true, log }),
    ).resolves.toEqual({});
    expect(log).toContainEqual(
      expect.stringMatching(
        /^\[dry run\] certificateArn not checked in ACM: unknown: the current state could not be read: AWS denied acm:DescribeCertificate/,
      ),
    );
  });
});
