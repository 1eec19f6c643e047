import { InputError, NotFoundError } from '@backstage/errors';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalGitRepositories } from './LocalGitRepositories';

const address = { host: 'github.com', owner: 'acme', repo: 'churn-model' };
const author = { name: 'Test', email: 'test@example.com' };

async function workspaceWith(files: Record<string, string>) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'local-publish-src-'));
  for (const [file, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
  return dir;
}

describe('LocalGitRepositories', () => {
  let repositories: LocalGitRepositories;

  beforeEach(async () => {
    repositories = new LocalGitRepositories(
      await fs.mkdtemp(path.join(os.tmpdir(), 'local-publish-git-')),
    );
  });

  it('publishes a workspace as the first commit and reads files back at the branch', async () => {
    const sourceDir = await workspaceWith({
      'catalog-info.yaml': 'kind: Component\n',
      'docs/index.md': '# Docs\n',
    });
    const commit = await repositories.publish({
      ...address,
      sourceDir,
      branch: 'main',
      commitMessage: 'Create churn-model',
      author,
    });

    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(repositories.has(address)).toBe(true);
    await expect(
      repositories.readFile(address, 'main', '/docs/index.md'),
    ).resolves.toEqual({ commit, content: Buffer.from('# Docs\n') });
  });

  it('refuses to publish over an existing repository, as GitHub does', async () => {
    const publish = async () =>
      repositories.publish({
        ...address,
        sourceDir: await workspaceWith({ 'README.md': 'x' }),
        branch: 'main',
        commitMessage: 'first',
        author,
      });
    await publish();
    await expect(publish()).rejects.toThrow(InputError);
  });

  it('says what is missing: an unknown ref or file', async () => {
    await repositories.publish({
      ...address,
      sourceDir: await workspaceWith({ 'README.md': 'x' }),
      branch: 'main',
      commitMessage: 'first',
      author,
    });
    await expect(
      repositories.readFile(address, 'develop', 'README.md'),
    ).rejects.toThrow(NotFoundError);
    await expect(
      repositories.readFile(address, 'main', 'missing.yaml'),
    ).rejects.toThrow(NotFoundError);
  });

  it('rejects names that would leave its directory', () => {
    expect(() => repositories.pathOf({ ...address, repo: '..' })).toThrow(
      InputError,
    );
    expect(() => repositories.pathOf({ ...address, owner: 'a/b' })).toThrow(
      InputError,
    );
    expect(repositories.has({ ...address, owner: '..' })).toBe(false);
  });
});
