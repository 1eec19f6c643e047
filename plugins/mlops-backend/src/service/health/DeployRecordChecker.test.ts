import net from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockServices } from '@backstage/backend-test-utils';
import { EcrRepositoryLocation } from '@eks-mlops/backstage-plugin-mlops-common';
import {
  MOTO_ACCOUNT_ID,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { CallRecorder, motoConfig } from '../../__testUtils__/actionHarness';
import {
  createBucket,
  motoEcrClient,
  motoS3Client,
  pushImage,
} from '../../__testUtils__/deployRecordsMoto';
import { AwsClientFactory } from '../../aws/AwsClientFactory';
import { DeployRecords } from '../../aws/deployRecords';
import { ServiceStateLocation } from '../../aws/terraformState';
import { DeployRecordChecker } from './DeployRecordChecker';

jest.setTimeout(120_000);

const REGION = 'eu-west-1';
const BUCKET = 'churn-model-tfstate-123456789012';
const states = (prefix: string, bucket = BUCKET): ServiceStateLocation => ({
  bucket,
  prefix,
  region: REGION,
  accountId: MOTO_ACCOUNT_ID,
});
const images = (repositoryName: string): EcrRepositoryLocation => ({
  accountId: MOTO_ACCOUNT_ID,
  region: REGION,
  repositoryName,
});
const DEPLOYED = { deployed: true };

describe('DeployRecordChecker', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let ecr: ECRClient;

  beforeAll(async () => {
    moto = await startMotoServer();
    s3 = motoS3Client(moto);
    ecr = motoEcrClient(moto);
  });
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await createBucket(s3, BUCKET);
  });

  const putState = (key: string) =>
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
      records: new DeployRecordChecker({ awsClientFactory, logger, timeoutMs }),
    };
  }

  describe('by the deploy tags of the ECR repository', () => {
    it('finds an environment deployed once an image carries its deploy tag, whatever other tags say', async () => {
      await pushImage(ecr, 'churn-model', 'a', ['3f2a9c1', 'dev-run-4711-1']);
      await pushImage(ecr, 'churn-model', 'b', [
        '9e8d7c6',
        'prod-runner',
        'prod',
      ]);
      const { records } = checker();
      const service: DeployRecords = { images: images('churn-model') };

      expect(await records.check(service, 'dev')).toEqual(DEPLOYED);
      expect(await records.check(service, 'prod')).toEqual({
        deployed: false,
        reason:
          'no image in ECR repository churn-model is tagged prod-run-* while dev has its, ' +
          "so prod's deploy has not run (on a new service, the deploy workflow waits for approval before prod)",
      });
    });

    it('finds nothing deployed in a repository with builds but no deploy tag, and decides over a Terraform state', async () => {
      await pushImage(ecr, 'churn-model', 'a', ['3f2a9c1']);
      // dev's apply ran (or is running); its rollout has not.
      await putState('churn-model/dev/terraform.tfstate');
      const { records, calls } = checker();

      const finding = await records.check(
        { images: images('churn-model'), states: states('churn-model') },
        'dev',
      );

      expect(finding).toEqual({
        deployed: false,
        reason: expect.stringContaining(
          'no image in ECR repository churn-model is tagged dev-run-*, nor has any other environment been deployed',
        ),
      });
      expect(calls.calls).toEqual(['ListImages']);
    });

    it('falls back on the Terraform states when the repository cannot be read, and does not ask it again for a while', async () => {
      await putState('churn-model/dev/terraform.tfstate');
      const { records, calls, logger } = checker();
      const service = {
        images: images('no-such-repository'),
        states: states('churn-model'),
      };

      expect(await records.check(service, 'dev')).toEqual(DEPLOYED);
      expect(await records.check(service, 'prod')).toMatchObject({
        deployed: false,
      });
      expect(calls.calls).toEqual([
        'ListImages',
        'ListObjectsV2',
        'ListObjectsV2',
      ]);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          `cannot read the image tags of ECR repository no-such-repository (${MOTO_ACCOUNT_ID}, ${REGION})`,
        ),
      );
    });
  });

  describe('by the Terraform states', () => {
    it('finds an environment whose state exists, and one without it not deployed, naming those with theirs', async () => {
      // The template's `<env>.s3.tfbackend` key, and what Terraform writes beside it.
      await putState('churn-model/dev/terraform.tfstate');
      await putState('churn-model/dev/terraform.tfstate.tflock');
      await putState('churn-model/staging/terraform.tfstate');
      const { records } = checker();
      const service = { states: states('churn-model') };

      expect(await records.check(service, 'dev')).toEqual(DEPLOYED);
      expect(await records.check(service, 'prod')).toEqual({
        deployed: false,
        reason:
          `prod has no Terraform state at s3://${BUCKET}/churn-model/prod/terraform.tfstate while dev and staging ` +
          "have theirs, so prod's deploy has not run (on a new service, the deploy workflow waits for approval before prod)",
      });
    });

    it('finds nothing deployed while the service has no state, whatever lies beside or below its prefix', async () => {
      // Another service under a longer prefix, one nested below, and a lock
      // file alone (the first apply is running and has written no state yet).
      await putState('churn-model-v2/dev/terraform.tfstate');
      await putState('churn-model/nested/dev/terraform.tfstate');
      await putState('churn-model/prod/terraform.tfstate.tflock');
      const { records } = checker();
      for (const environment of ['dev', 'prod']) {
        expect(
          await records.check({ states: states('churn-model') }, environment),
        ).toEqual({
          deployed: false,
          reason:
            `${environment} has no Terraform state at s3://${BUCKET}/churn-model/${environment}/terraform.tfstate, ` +
            'nor has any other environment been deployed: no deploy of the service has run yet ' +
            '(on a new service, the deploy workflow starts on the first push)',
        });
      }
      expect(
        await records.check({ states: states('churn-model/nested') }, 'dev'),
      ).toEqual(DEPLOYED);
    });

    it('tells nothing when the bucket cannot be read, warns, and does not ask again for a while', async () => {
      const { records, calls, logger } = checker();
      const service = { states: states('churn-model', 'no-such-bucket') };

      expect(await records.check(service, 'prod')).toBeUndefined();
      expect(await records.check(service, 'dev')).toBeUndefined();
      expect(calls.calls).toEqual(['ListObjectsV2']);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'cannot read the Terraform states in s3://no-such-bucket/churn-model/',
        ),
      );
    });
  });

  it('gives up after its timeout when AWS does not answer, so the probe goes on', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const { records, logger } = checker(`http://127.0.0.1:${port}`, 300);
      // Without the timeout these reads would wait for AWS forever.
      expect(
        await records.check(
          { images: images('churn-model'), states: states('churn-model') },
          'prod',
        ),
      ).toBeUndefined();
      expect(logger.warn).toHaveBeenCalledTimes(2);
    } finally {
      silent.close();
    }
  });
});
