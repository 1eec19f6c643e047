import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalGitRepositories } from '../LocalGitRepositories';
import { RecordedGitHubSettings } from '../RecordedGitHubSettings';

export const ADDRESS = {
  host: 'github.com',
  owner: 'acme',
  repo: 'churn-model',
};
export const REPO_URL = 'github.com?owner=acme&repo=churn-model';

/** A deploy workflow as the template renders it: dispatchable, one optional input. */
export const DEPLOY_WORKFLOW = `name: deploy
on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      image_digest:
        required: false
        type: string
jobs: {}
`;

/** A directory with these files, e.g. a scaffolder workspace. */
export async function directoryWith(
  files: Record<string, string>,
): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'local-github-src-'));
  for (const [file, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
  return dir;
}

/** The local GitHub stand-in's state in a fresh directory, and how actions reach it. */
export async function localGitHub() {
  const repositories = new LocalGitRepositories(
    await fs.mkdtemp(path.join(os.tmpdir(), 'local-github-')),
  );
  return {
    repositories,
    settings: new RecordedGitHubSettings(repositories),
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  };
}

/** As `localGitHub`, with acme/churn-model published with a deploy workflow on main. */
export async function publishedRepository(
  files: Record<string, string> = {
    '.github/workflows/deploy.yml': DEPLOY_WORKFLOW,
  },
) {
  const github = await localGitHub();
  const commit = await github.repositories.publish({
    ...ADDRESS,
    sourceDir: await directoryWith(files),
    branch: 'main',
    commitMessage: 'first',
    author: { name: 'Test', email: 'test@example.com' },
  });
  await github.settings.create(ADDRESS, {
    visibility: 'private',
    variables: {},
    secretNames: [],
    collaborators: [],
  });
  return { ...github, commit };
}

/** Runs an action's handler with this input; returns the context to inspect. */
export async function runAction(
  action: TemplateAction<any, any, any>,
  input: Record<string, unknown>,
  workspacePath?: string,
) {
  const logger = mockServices.logger.mock();
  const ctx = createMockActionContext({
    input: input as any,
    logger,
    ...(workspacePath && { workspacePath }),
  });
  await action.handler(ctx as any);
  const logLines = logger.info.mock.calls.map(([message]) => String(message));
  return { ctx, logLines };
}
