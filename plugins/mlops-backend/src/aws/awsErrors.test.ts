import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { ConfigReader } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { runAction } from '../__testUtils__/actionHarness';
import { MOTO_CREDENTIALS } from '@internal/moto-server';
import { createMlServiceValidateAction } from '../actions/mlServiceValidate';
import { createTfstateEnsureAction } from '../actions/tfstateEnsure';
import { AwsClientFactory } from './AwsClientFactory';
import { explainAccessDenied, iamActionFor } from './awsErrors';

/**
 * An AWS look-alike for a role that may only see that a bucket exists: STS
 * answers, HeadBucket succeeds, every other call is denied as AWS denies it
 * (ACM, a JSON protocol, in JSON).
 */
function startDenyingServer(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
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
