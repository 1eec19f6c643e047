import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  createTemplateAction,
  getRepoSourceDirectory,
  parseRepoUrl,
} from '@backstage/plugin-scaffolder-node';
import { pathToFileURL } from 'node:url';
import { LocalGitRepositories } from './LocalGitRepositories';

const DEFAULT_AUTHOR = { name: 'Scaffolder', email: 'scaffolder@backstage.io' };

/**
 * `publish:github` for the local demo: commits the workspace into a new bare
 * repository on this machine instead of creating one on GitHub, and returns
 * the GitHub-style `repoContentsUrl` that `catalog:register` resolves, which
 * the local git URL reader then serves from that repository.
 */
export function createLocalPublishAction(options: {
  repositories: LocalGitRepositories;
  integrations: ScmIntegrationRegistry;
  author?: { name: string; email: string };
}) {
  const { repositories, integrations } = options;
  return createTemplateAction({
    id: 'publish:github',
    description:
      'Local demo stand-in for publish:github: publishes the workspace to a bare git repository on this machine.',
    schema: {
      input: {
        repoUrl: z =>
          z.string({
            description: 'Repository location, github.com?owner=o&repo=r',
          }),
        description: z =>
          z
            .string({ description: 'Repository description (unused locally)' })
            .optional(),
        defaultBranch: z =>
          z.string({ description: 'Branch of the first commit' }).optional(),
        repoVisibility: z =>
          z
            .enum(['private', 'internal', 'public'], {
              description: 'Repository visibility (unused locally)',
            })
            .optional(),
        gitCommitMessage: z =>
          z.string({ description: 'Message of the first commit' }).optional(),
        sourcePath: z =>
          z
            .string({ description: 'Workspace subdirectory to publish' })
            .optional(),
      },
      output: {
        remoteUrl: z =>
          z.string({ description: 'git remote of the new repository' }),
        repoContentsUrl: z =>
          z.string({
            description: 'URL of the repository contents at the branch',
          }),
        commitHash: z => z.string({ description: 'The first commit' }),
      },
    },
    async handler(ctx) {
      const { host, owner, repo } = parseRepoUrl(
        ctx.input.repoUrl,
        integrations,
      );
      if (!owner || integrations.byHost(host)?.type !== 'github') {
        throw new InputError(
          `${ctx.input.repoUrl} is not a GitHub repository location (github.com?owner=o&repo=r)`,
        );
      }
      const branch = ctx.input.defaultBranch ?? 'main';
      const address = { host, owner, repo };
      const target = repositories.pathOf(address);
      const commitHash = await ctx.checkpoint({
        key: `local-publish-${host}-${owner}-${repo}`,
        fn: async () => {
          ctx.logger.info(
            `Local demo: publishing to the local git repository ${target} instead of ${host}/${owner}/${repo}`,
          );
          return repositories.publish({
            ...address,
            sourceDir: getRepoSourceDirectory(
              ctx.workspacePath,
              ctx.input.sourcePath,
            ),
            branch,
            commitMessage: ctx.input.gitCommitMessage ?? 'initial commit',
            author: options.author ?? DEFAULT_AUTHOR,
          });
        },
      });
      ctx.output('remoteUrl', pathToFileURL(target).href);
      ctx.output(
        'repoContentsUrl',
        `https://${host}/${owner}/${repo}/blob/${branch}`,
      );
      ctx.output('commitHash', commitHash);
    },
  });
}
