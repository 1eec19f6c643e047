import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { parseRepoUrl } from '@backstage/plugin-scaffolder-node';
import { RepositoryAddress } from './LocalGitRepositories';

/** The GitHub repository a `repoUrl` input names; anything else is refused. */
export function githubAddress(
  repoUrl: string,
  integrations: ScmIntegrationRegistry,
): RepositoryAddress {
  const { host, owner, repo } = parseRepoUrl(repoUrl, integrations);
  if (!owner || integrations.byHost(host)?.type !== 'github') {
    throw new InputError(
      `${repoUrl} is not a GitHub repository location (github.com?owner=o&repo=r)`,
    );
  }
  return { host, owner, repo };
}
