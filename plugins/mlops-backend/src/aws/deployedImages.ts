import { ECRClient, paginateListImages } from '@aws-sdk/client-ecr';
import { environmentOfDeployTag } from '@eks-mlops/backstage-plugin-mlops-common';

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
 * The environments that an image of the repository carries a deploy tag of
 * (`environmentOfDeployTag`), sorted.
 */
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
      const environment = imageTag && environmentOfDeployTag(imageTag);
      if (environment) environments.add(environment);
    }
  }
  return [...environments].sort();
}
