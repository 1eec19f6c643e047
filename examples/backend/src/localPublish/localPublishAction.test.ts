import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalGitRepositories } from './LocalGitRepositories';
import { createLocalPublishAction } from './localPublishAction';

describe('local publish:github', () => {
  async function setUp() {
    const repositories = new LocalGitRepositories(
      await fs.mkdtemp(path.join(os.tmpdir(), 'local-publish-action-')),
    );
    const action = createLocalPublishAction({
      repositories,
      integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
    });
    const workspacePath = await fs.mkdtemp(
      path.join(os.tmpdir(), 'local-publish-workspace-'),
    );
    await fs.writeFile(
      path.join(workspacePath, 'catalog-info.yaml'),
      'kind: Component\n',
    );
    return { repositories, action, workspacePath };
  }

  it('publishes the workspace locally and returns GitHub-style outputs', async () => {
    const { repositories, action, workspacePath } = await setUp();
    const ctx = createMockActionContext({
      workspacePath,
      input: {
        repoUrl: 'github.com?owner=acme&repo=churn-model',
        defaultBranch: 'main',
        gitCommitMessage: 'Create churn-model',
      },
    });

    await action.handler(ctx);

    const address = { host: 'github.com', owner: 'acme', repo: 'churn-model' };
    const { commit } = await repositories.readFile(
      address,
      'main',
      'catalog-info.yaml',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      'https://github.com/acme/churn-model/blob/main',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'remoteUrl',
      pathToFileURL(repositories.pathOf(address)).href,
    );
    expect(ctx.output).toHaveBeenCalledWith('commitHash', commit);
  });

  it('accepts only GitHub repository locations', async () => {
    const { action, workspacePath } = await setUp();
    const ctx = createMockActionContext({
      workspacePath,
      input: { repoUrl: 'gitlab.com?owner=acme&repo=churn-model' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(InputError);
  });
});
