import {
  ECRClient,
  ImageAlreadyExistsException,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { parseEcrRepositoryUri } from '@eks-mlops/backstage-plugin-mlops-common';
import { MOTO_CREDENTIALS } from '@internal/moto-server';
import { createHash } from 'node:crypto';

/**
 * What the deploy workflow's `tag_deployed_image.sh` leaves in the service's
 * ECR repository before a rollout, for a local stand-in of that workflow
 * against moto: an image tagged `<environment>-run-<run>-1`. The stand-in
 * builds no image, so the image is a placeholder manifest named after the
 * commit. The repository must exist (`mlops:ecr:ensure` made it).
 */
export async function tagDeployedImageInMoto(options: {
  motoEndpoint: string;
  /** `mlops/ecr-repository` of the service. */
  repositoryUri: string;
  environment: string;
  run: number;
  commit: string;
}): Promise<string> {
  const repository = parseEcrRepositoryUri(options.repositoryUri);
  if (!repository) {
    throw new Error(
      `"${options.repositoryUri}" is not an ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>)`,
    );
  }
  const { accountId: registryId, region, repositoryName } = repository;
  const tag = `${options.environment}-run-${options.run}-1`;
  const ecr = new ECRClient({
    region,
    endpoint: options.motoEndpoint,
    credentials: MOTO_CREDENTIALS,
  });
  try {
    await ecr.send(
      new PutImageCommand({
        registryId,
        repositoryName,
        imageTag: tag,
        imageManifest: placeholderManifest(options.commit),
      }),
    );
  } catch (error) {
    if (!(error instanceof ImageAlreadyExistsException)) throw error;
  } finally {
    ecr.destroy();
  }
  return tag;
}

function placeholderManifest(commit: string): string {
  const digest = `sha256:${createHash('sha256').update(commit).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      size: 0,
      digest,
    },
    layers: [],
  });
}
