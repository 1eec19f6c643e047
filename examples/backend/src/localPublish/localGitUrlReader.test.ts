import { ConfigReader } from '@backstage/config';
import { NotModifiedError } from '@backstage/errors';
import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalGitRepositories } from './LocalGitRepositories';
import { localGitReaderFactory, parseBlobUrl } from './localGitUrlReader';

// Each test runs git several times (init, commit, push, show, grep): under
// 0.5 s on an idle machine, but once over Jest's 5 s default on two busy
// cores.
jest.setTimeout(30_000);

async function publishedRepositories() {
  const repositories = new LocalGitRepositories(
    await fs.mkdtemp(path.join(os.tmpdir(), 'local-git-reader-')),
  );
  const sourceDir = await fs.mkdtemp(path.join(os.tmpdir(), 'local-git-src-'));
  await fs.writeFile(path.join(sourceDir, 'catalog-info.yaml'), 'kind: API\n');
  const commit = await repositories.publish({
    host: 'github.com',
    owner: 'acme',
    repo: 'churn-model',
    sourceDir,
    branch: 'main',
    commitMessage: 'first',
    author: { name: 'Test', email: 'test@example.com' },
  });
  return { repositories, commit };
}

function readerOf(repositories: LocalGitRepositories) {
  const [tuple] = localGitReaderFactory(repositories)({
    config: new ConfigReader({}),
    logger: mockServices.logger.mock(),
    treeResponseFactory: {} as any,
  });
  return tuple;
}

const FILE_URL =
  'https://github.com/acme/churn-model/tree/main/catalog-info.yaml';

describe('local git URL reader', () => {
  it('parses GitHub blob and tree URLs', () => {
    expect(
      parseBlobUrl(
        new URL('https://github.com/acme/x/blob/main/docs/a%20b.md'),
      ),
    ).toEqual({
      address: { host: 'github.com', owner: 'acme', repo: 'x' },
      ref: 'main',
      filePath: 'docs/a b.md',
    });
    expect(parseBlobUrl(new URL('https://github.com/acme/x'))).toBeUndefined();
  });

  it('claims only URLs of repositories it published', async () => {
    const { repositories } = await publishedRepositories();
    const { predicate } = readerOf(repositories);
    expect(predicate(new URL(FILE_URL))).toBe(true);
    expect(
      predicate(new URL('https://github.com/acme/other/blob/main/x.yaml')),
    ).toBe(false);
    expect(
      predicate(new URL('https://gitlab.com/acme/churn-model/blob/main/x')),
    ).toBe(false);
  });

  it('reads and searches a file at the commit of the ref, with the commit as etag', async () => {
    const { repositories, commit } = await publishedRepositories();
    const { reader } = readerOf(repositories);

    const response = await reader.readUrl(FILE_URL);
    expect(response.etag).toBe(commit);
    expect((await response.buffer()).toString()).toBe('kind: API\n');

    const found = await reader.search(FILE_URL);
    expect(found.etag).toBe(commit);
    expect(found.files.map(f => f.url)).toEqual([FILE_URL]);
    expect((await found.files[0].content()).toString()).toBe('kind: API\n');

    await expect(reader.readUrl(FILE_URL, { etag: commit })).rejects.toThrow(
      NotModifiedError,
    );
    await expect(reader.search(FILE_URL, { etag: commit })).rejects.toThrow(
      NotModifiedError,
    );
  });
});
