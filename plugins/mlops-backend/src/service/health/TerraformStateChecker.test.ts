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

const UNKNOWN = { presence: 'unknown' };

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

  it('finds an environment whose state exists, and calls one without it absent, naming those with theirs', async () => {
    // The template's `<env>.s3.tfbackend` key, and what Terraform writes beside it.
    await put('churn-model/dev/terraform.tfstate');
    await put('churn-model/dev/terraform.tfstate.tflock');
    await put('churn-model/staging/terraform.tfstate');
    const { states } = checker();

    expect(await states.check(location('churn-model'), 'dev')).toEqual({
      presence: 'present',
    });
    expect(await states.check(location('churn-model'), 'prod')).toEqual({
      presence: 'absent',
      environmentsWithState: ['dev', 'staging'],
    });
  });

  it('calls an environment absent while the service has no state at all, whatever lies beside or below its prefix', async () => {
    // Another service under a longer prefix, one nested below, and a lock
    // file alone (the first apply is running and has written no state yet).
    await put('churn-model-v2/dev/terraform.tfstate');
    await put('churn-model/nested/dev/terraform.tfstate');
    await put('churn-model/prod/terraform.tfstate.tflock');
    const { states } = checker();
    const absent = { presence: 'absent', environmentsWithState: [] };

    expect(await states.check(location('churn-model'), 'prod')).toEqual(absent);
    expect(await states.check(location('churn-model'), 'dev')).toEqual(absent);
    expect(await states.check(location('churn-model/nested'), 'dev')).toEqual({
      presence: 'present',
    });
  });

  it('says unknown when the bucket cannot be read, warns, and does not ask again for a while', async () => {
    const { states, calls, logger } = checker();
    const missing = location('churn-model', 'no-such-state-bucket');

    expect(await states.check(missing, 'prod')).toEqual(UNKNOWN);
    expect(await states.check(missing, 'dev')).toEqual(UNKNOWN);
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
      expect(await states.check(location('churn-model'), 'prod')).toEqual(
        UNKNOWN,
      );
      expect(logger.warn).toHaveBeenCalledTimes(1);
    } finally {
      silent.close();
    }
  });
});
