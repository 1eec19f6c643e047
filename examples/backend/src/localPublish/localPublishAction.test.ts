import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ADDRESS,
  localGitHub,
  REPO_URL,
  runAction,
} from './__testUtils__/localGitHub';
import { createLocalPublishAction } from './localPublishAction';

describe('local publish:github', () => {
  async function setUp() {
    const github = await localGitHub();
    const action = createLocalPublishAction(github);
    const workspacePath = await fs.mkdtemp(
      path.join(os.tmpdir(), 'local-publish-workspace-'),
    );
    await fs.writeFile(
      path.join(workspacePath, 'catalog-info.yaml'),
      'kind: Component\n',
    );
    return { ...github, action, workspacePath };
  }

  it('publishes the workspace locally and returns GitHub-style outputs', async () => {
    const { repositories, action, workspacePath } = await setUp();

    const { ctx } = await runAction(
      action,
      {
        repoUrl: REPO_URL,
        defaultBranch: 'main',
        gitCommitMessage: 'Create churn-model',
      },
      workspacePath,
    );

    const { commit } = await repositories.readFile(
      ADDRESS,
      'main',
      'catalog-info.yaml',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      'https://github.com/acme/churn-model/blob/main',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'remoteUrl',
      pathToFileURL(repositories.pathOf(ADDRESS)).href,
    );
    expect(ctx.output).toHaveBeenCalledWith('commitHash', commit);
  });

  it('records the visibility, collaborators, repository variables and secret names GitHub would have set', async () => {
    const { settings, action, workspacePath } = await setUp();

    const { logLines } = await runAction(
      action,
      {
        repoUrl: REPO_URL,
        repoVisibility: 'internal',
        repoVariables: {
          AWS_PLAN_ROLE_ARN: 'arn:aws:iam::123456789012:role/p',
        },
        secrets: { TOKEN: 'do-not-write-me' },
        collaborators: [{ team: 'group:default/ml-team', access: 'push' }],
      },
      workspacePath,
    );

    const record = await settings.read(ADDRESS);
    expect(record).toMatchObject({
      repository: 'github.com/acme/churn-model',
      visibility: 'internal',
      variables: { AWS_PLAN_ROLE_ARN: 'arn:aws:iam::123456789012:role/p' },
      secretNames: ['TOKEN'],
      collaborators: [{ team: 'group:default/ml-team', access: 'push' }],
      environments: {},
      dispatches: [],
    });
    expect(JSON.stringify(record)).not.toContain('do-not-write-me');
    expect(logLines).toContain(
      '[local demo] would make acme/churn-model internal; collaborators team group:default/ml-team (push); ' +
        'variables AWS_PLAN_ROLE_ARN=arn:aws:iam::123456789012:role/p; secrets TOKEN (values not recorded); nothing ran',
    );
  });

  it('accepts only GitHub repository locations', async () => {
    const { action, workspacePath } = await setUp();
    await expect(
      runAction(
        action,
        { repoUrl: 'gitlab.com?owner=acme&repo=churn-model' },
        workspacePath,
      ),
    ).rejects.toThrow(InputError);
  });
});
