import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  ReaderFactory,
  ReadUrlResponseFactory,
  urlReaderFactoriesServiceRef,
} from '@backstage/backend-defaults/urlReader';
import { NotModifiedError, NotAllowedError } from '@backstage/errors';
import { Readable } from 'node:stream';
import {
  LocalGitRepositories,
  RepositoryAddress,
} from './LocalGitRepositories';

/** `https://<host>/<owner>/<repo>/blob/<ref>/<path>` → its parts. */
export function parseBlobUrl(url: URL) {
  const [owner, repo, kind, ref, ...rest] = url.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  if (!owner || !repo || !['blob', 'tree'].includes(kind) || !ref) {
    return undefined;
  }
  return {
    address: { host: url.host, owner, repo } as RepositoryAddress,
    ref,
    filePath: rest.join('/'),
  };
}

/**
 * Reads GitHub-style URLs of repositories the local publish action created,
 * from their local bare repositories; every other URL goes to the usual
 * readers. Registered ahead of the default readers.
 */
export function localGitReaderFactory(
  repositories: LocalGitRepositories,
): ReaderFactory {
  const read = (url: string) => {
    const { address, ref, filePath } = parseBlobUrl(new URL(url))!;
    return repositories.readFile(address, ref, filePath);
  };
  return () => [
    {
      predicate: url => {
        const parsed = parseBlobUrl(url);
        return Boolean(parsed && repositories.has(parsed.address));
      },
      reader: {
        async readUrl(url, options) {
          const { commit, content } = await read(url);
          if (options?.etag === commit) {
            throw new NotModifiedError();
          }
          return ReadUrlResponseFactory.fromReadable(Readable.from(content), {
            etag: commit,
          });
        },
        async search(url, options) {
          if (/[*?[{]/.test(new URL(url).pathname)) {
            throw new NotAllowedError(
              'The local git reader does not search for patterns',
            );
          }
          const { commit, content } = await read(url);
          if (options?.etag === commit) {
            throw new NotModifiedError();
          }
          return {
            etag: commit,
            files: [{ url, content: async () => content }],
          };
        },
        async readTree() {
          throw new NotAllowedError('The local git reader reads files only');
        },
        toString: () => `localGit{directory=${repositories.directory}}`,
      },
    },
  ];
}

/** Adds the local git reader to the URL readers of every plugin. */
export const localGitUrlReader = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  factory: () => (options: Parameters<ReaderFactory>[0]) =>
    localGitReaderFactory(
      new LocalGitRepositories(
        options.config.getString('localDemo.publish.directory'),
      ),
    )(options),
});
