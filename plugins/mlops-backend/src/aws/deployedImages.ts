import { ECRClient, paginateListImages } from '@aws-sdk/client-ecr';

/** An ECR repository, from the `mlops/ecr-repository` URI. */
export interface ImageRepositoryLocation {
  accountId: string;
  region: string;
  repositoryName: string;
}

const ECR_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*)$/;

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`, or undefined. */
export function parseEcrRepositoryUri(
  value: string | undefined,
): ImageRepositoryLocation | undefined {
  const match = ECR_URI.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [, accountId, region, repositoryName] = match;
  return { accountId, region, repositoryName };
}

/**
 * The tag the template's deploy workflow gives the image it rolls out to an
 * environment, just before the rollout: `<environment>-run-<run id>-<attempt>`
 * (`.github/scripts/tag_deployed_image.sh`). The repository's lifecycle
 * policy keeps each environment's last ones, so once an environment has been
 * deployed, one stays.
 */
const DEPLOY_TAG = /^(.+?)-run-\d+-\d+$/;

/** The pattern of an environment's deploy tags, for messages. */
export function deployTagPattern(environment: string): string {
  return `${environment}-run-*`;
}

/** The environments that an image of the repository carries a deploy tag of, sorted. */
export async function environmentsWithDeployedImage(
  ecr: ECRClient,
  repository: ImageRepositoryLocation,
  abortSignal?: AbortSignal,
): Promise<string[]> {
  const environments = new Set<string>();
  const pages = paginateListImages(
    { client: ecr },
    {
      registryId: repository.accountId,
      repositoryName: repository.repositoryName,
      filter: { tagStatus: 'TAGGED' },
    },
    { abortSignal },
  );
  for await (const page of pages) {
    for (const { imageTag } of page.imageIds ?? []) {
      const environment = imageTag && DEPLOY_TAG.exec(imageTag)?.[1];
      if (environment) environments.add(environment);
    }
  }
  return [...environments].sort();
}
