import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  createTemplateAction,
  getRepoSourceDirectory,
} from '@backstage/plugin-scaffolder-node';
import { pathToFileURL } from 'node:url';
import { githubAddress } from './githubAddress';
import {
  describeVariables,
  LOCAL_DEMO,
  RecordedGitHubSettings,
  RepositorySettings,
} from './RecordedGitHubSettings';

const DEFAULT_AUTHOR = { name: 'Scaffolder', email: 'scaffolder@backstage.io' };

/** What GitHub would have set on the new repository besides its content. */
function repositorySettings(input: {
  repoVisibility?: string;
  repoVariables?: Record<string, string>;
  secrets?: Record<string, string>;
  collaborators?: RepositorySettings['collaborators'];
}): RepositorySettings {
  return {
    visibility: input.repoVisibility ?? 'private',
    variables: input.repoVariables ?? {},
    secretNames: Object.keys(input.secrets ?? {}),
    collaborators: input.collaborators ?? [],
  };
}

function describeRepository(repository: RepositorySettings): string {
  const collaborators = repository.collaborators.map(collaborator =>
    'user' in collaborator
      ? `user ${collaborator.user} (${collaborator.access})`
      : `team ${collaborator.team} (${collaborator.access})`,
  );
  return [
    repository.visibility,
    collaborators.length && `collaborators ${collaborators.join(', ')}`,
    describeVariables(repository.variables),
    repository.secretNames.length &&
      `secrets ${repository.secretNames.join(', ')} (values not recorded)`,
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * `publish:github` for the local demo: commits the workspace into a new bare
 * repository on this machine instead of creating one on GitHub, and returns
 * the GitHub-style `repoContentsUrl` that `catalog:register` resolves, which
 * the local git URL reader then serves from that repository. The visibility,
 * collaborators, repository variables and secret names GitHub would have set
 * start the repository's record (RecordedGitHubSettings).
 */
export function createLocalPublishAction(options: {
  settings: RecordedGitHubSettings;
  integrations: ScmIntegrationRegistry;
  author?: { name: string; email: string };
}) {
  const { settings, integrations } = options;
  const { repositories } = settings;
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
            .enum(['private', 'public', 'internal'], {
              description: 'Repository visibility (recorded)',
            })
            .optional(),
        gitCommitMessage: z =>
          z.string({ description: 'Message of the first commit' }).optional(),
        sourcePath: z =>
          z
            .string({ description: 'Workspace subdirectory to publish' })
            .optional(),
        repoVariables: z =>
          z
            .record(z.string(), {
              description: 'Variables of the repository (recorded)',
            })
            .optional(),
        secrets: z =>
          z
            .record(z.string(), {
              description:
                'Secrets of the repository (only their names are recorded)',
            })
            .optional(),
        collaborators: z =>
          z
            .array(
              z.union([
                z.object({
                  access: z.string({ description: 'Their permission' }),
                  user: z.string({
                    description: 'A user (entity ref or name)',
                  }),
                }),
                z.object({
                  access: z.string({ description: 'Their permission' }),
                  team: z.string({
                    description: 'A team (entity ref or name)',
                  }),
                }),
              ]),
              { description: 'Users and teams given access (recorded)' },
            )
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
      const address = githubAddress(ctx.input.repoUrl, integrations);
      const { host, owner, repo } = address;
      const branch = ctx.input.defaultBranch ?? 'main';
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
      const repository = repositorySettings(ctx.input);
      ctx.logger.info(
        `${LOCAL_DEMO} would make ${owner}/${repo} ${describeRepository(
          repository,
        )}; nothing ran`,
      );
      // Its own checkpoint: a resumed task must not start the record again
      // after later steps added environments to it.
      const record = await ctx.checkpoint({
        key: `local-publish-settings-${host}-${owner}-${repo}`,
        fn: () => settings.create(address, repository),
      });
      ctx.logger.info(settings.describe(address, record));
      ctx.output('remoteUrl', pathToFileURL(target).href);
      ctx.output(
        'repoContentsUrl',
        `https://${host}/${owner}/${repo}/blob/${branch}`,
      );
      ctx.output('commitHash', commitHash);
    },
  });
}
