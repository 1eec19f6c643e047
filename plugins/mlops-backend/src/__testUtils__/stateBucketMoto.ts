import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsCredentialIdentity } from '@aws-sdk/types';
import { MOTO_CREDENTIALS, MotoServer } from '@internal/moto-server';

const REGION = 'eu-west-1';

/** An S3 client on moto, for a test to prepare and read buckets and objects with. */
export function motoS3Client(
  moto: MotoServer,
  options: { region?: string; credentials?: AwsCredentialIdentity } = {},
): S3Client {
  return new S3Client({
    region: options.region ?? REGION,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: options.credentials ?? MOTO_CREDENTIALS,
  });
}

/** Creates a state bucket in the region the tests' Components name. */
export async function createBucket(s3: S3Client, bucket: string) {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: REGION },
    }),
  );
}
