/**
 * An ECR repository, as `mlops/ecr-repository` names it.
 *
 * @public
 */
export interface EcrRepositoryLocation {
  accountId: string;
  region: string;
  repositoryName: string;
}

const ECR_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*)$/;

/**
 * The account, region and name of an ECR repository URI
 * (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`, the value of
 * `mlops/ecr-repository`), or undefined for anything else.
 *
 * @public
 */
export function parseEcrRepositoryUri(
  value: string | undefined,
): EcrRepositoryLocation | undefined {
  const match = ECR_URI.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [, accountId, region, repositoryName] = match;
  return { accountId, region, repositoryName };
}
