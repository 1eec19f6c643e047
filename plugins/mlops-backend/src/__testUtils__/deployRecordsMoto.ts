import {
  CreateRepositoryCommand,
  ECRClient,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
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

/** An ECR client on moto, in the region the tests' Components name. */
export function motoEcrClient(moto: MotoServer): ECRClient {
  return new ECRClient({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: MOTO_CREDENTIALS,
  });
}

/**
 * Creates the repository if need be and pushes an image with these tags, as a
 * build and the deploy workflow do; `digit` makes its digest (`sha256:<digit × 64>`).
 */
export async function pushImage(
  ecr: ECRClient,
  repositoryName: string,
  digit: string,
  tags: string[],
) {
  await ecr
    .send(new CreateRepositoryCommand({ repositoryName }))
    .catch(error => {
      if (error?.name !== 'RepositoryAlreadyExistsException') throw error;
    });
  const imageManifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1,
      digest: `sha256:${digit.repeat(64)}`,
    },
    layers: [],
  });
  for (const imageTag of tags) {
    await ecr.send(
      new PutImageCommand({ repositoryName, imageManifest, imageTag }),
    );
  }
}
