import { ECRClient, paginateListImages } from '@aws-sdk/client-ecr';
import {
  EcrRepositoryLocation,
  environmentOfDeployTag,
} from '@eks-mlops/backstage-plugin-mlops-common';

/**
 * The environments that an image of the repository carries a deploy tag of
 * (`environmentOfDeployTag`), sorted.
 */
export async function environmentsWithDeployedImage(
  ecr: ECRClient,
  repository: EcrRepositoryLocation,
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
