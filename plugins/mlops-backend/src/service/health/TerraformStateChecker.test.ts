import net from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockServices } from '@backstage/backend-test-utils';
import {
  MOTO_ACCOUNT_ID,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { CallRecorder, motoConfig } from '../../__testUtils__/actionHarness';
import {
  createBucket,
  motoS3Client,
} from '../../__testUtils__/stateBucketMoto';
import { AwsClientFactory } from '../../aws/AwsClientFactory';
import { ServiceStateLocation } from '../../aws/terraformState';
import { TerraformStateChecker } from './TerraformStateChecker';

jest.setTimeout(120_000);

const BUCKET = 'churn-model-tfstate-123456789012';
const location = (prefix: string, bucket = BUCKET): ServiceStateLocation => ({
  bucket,
  prefix,
  region: 'eu-west-1',
  accountId: MOTO_ACCOUNT_ID,
});

describe('TerraformStateChecker', () => {
  let moto: MotoServer;
  let s3: S3Client;

  beforeAll(async () => {
    moto = await startMotoServer();
    s3 = motoS3Client(moto);
  });
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await createBucket(s3, BUCKET);
  });

  const put = (key: string) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{}' }));

  function checker(endpoint = moto.endpoint, timeoutMs = 5000) {
    const calls = new CallRecorder();
    const logger = mockServices.logger.mock();
    const awsClientFactory = AwsClientFactory.fromConfig(
      motoConfig(endpoint),
      calls.observer,
    );
    return {
      calls,
      logger,
      states: new TerraformStateChecker({
        awsClientFactory,
        logger,
        timeoutMs,
      }),
    };
  }

  it('finds an environment whose state exists, and calls one without it absent while another has one', async () => {
    // The template's `<env>.s3.tfbackend` key, and what Terraform writes beside it.
    await put('churn-model/dev/terraform.tfstate');
    await put('churn-model/dev/terraform.tfstate.tflock');
    const { states } = checker();

    expect(await states.check(location('churn-model'), 'dev')).toBe('present');
    expect(await states.check(location('churn-model'), 'prod')).toBe('absent');
    expect(
      TerraformStateChecker.stateUrl(location('churn-model'), 'prod'),
    ).toBe(`s3://${BUCKET}/churn-model/prod/terraform.tfstate`);
  });

  it('claims nothing without proof that the service keeps its states there', async () => {
    // Another service under a longer prefix, and a lock file alone.
    await put('churn-model-v2/dev/terraform.tfstate');
    await put('teams/churn-model/dev/terraform.tfstate');
    await put('churn-model/prod/terraform.tfstate.tflock');
    const { states } = checker();

    expect(await states.check(location('churn-model'), 'prod')).toBe('unknown');
    expect(await states.check(location('teams'), 'prod')).toBe('unknown');
  });

  it('says unknown when the bucket cannot be read, warns, and does not ask again for a while', async () => {
    const { states, calls, logger } = checker();
    const missing = location('churn-model', 'no-such-state-bucket');

    expect(await states.check(missing, 'prod')).toBe('unknown');
    expect(await states.check(missing, 'dev')).toBe('unknown');
    expect(calls.calls).toEqual(['ListObjectsV2']);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'cannot list the Terraform states in s3://no-such-state-bucket/churn-model/',
      ),
    );
  });

  it('gives up after its timeout when S3 does not answer, so the probe goes on', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const { states, logger } = checker(`http://127.0.0.1:${port}`, 300);
      // Without the timeout this check would wait for S3 forever.
      expect(await states.check(location('churn-model'), 'prod')).toBe(
        'unknown',
      );
      expect(logger.warn).toHaveBeenCalledTimes(1);
    } finally {
      silent.close();
    }
  });
});
