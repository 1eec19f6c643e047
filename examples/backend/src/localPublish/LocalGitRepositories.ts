import { InputError, NotFoundError } from '@backstage/errors';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Which repository on which SCM host a local bare repository stands in for. */
export interface RepositoryAddress {
  host: string;
  owner: string;
  repo: string;
}

export interface PublishOptions extends RepositoryAddress {
  sourceDir: string;
  branch: string;
  commitMessage: string;
  author: { name: string; email: string };
}

function git(args: string[], cwd?: string) {
  return run('git', args, {
    cwd,
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * Bare git repositories under one directory, laid out as
 * `<host>/<owner>/<repo>.git`: the local demo's stand-in for GitHub.
 */
export class LocalGitRepositories {
  constructor(readonly directory: string) {}

  pathOf({ host, owner, repo }: RepositoryAddress): string {
    for (const part of [host.replace(/:\d+$/, ''), owner, repo]) {
      if (!SAFE_NAME.test(part)) {
        throw new InputError(`"${part}" is not a valid repository name part`);
      }
    }
    return path.join(this.directory, host, owner, `${repo}.git`);
  }

  has(address: RepositoryAddress): boolean {
    try {
      return fs.existsSync(path.join(this.pathOf(address), 'HEAD'));
    } catch {
      return false;
    }
  }

  /** Commits `sourceDir` as the first commit of a new repository; returns the commit hash. */
  async publish(options: PublishOptions): Promise<string> {
    const target = this.pathOf(options);
    if (this.has(options)) {
      throw new InputError(
        `Repository ${options.owner}/${options.repo} already exists (${target})`,
      );
    }
    const { sourceDir, branch, author } = options;
    await git(['init', '--quiet', `--initial-branch=${branch}`], sourceDir);
    await git(['add', '--all'], sourceDir);
    await git(
      [
        '-c',
        `user.name=${author.name}`,
        '-c',
        `user.email=${author.email}`,
        'commit',
        '--quiet',
        '--message',
        options.commitMessage,
      ],
      sourceDir,
    );
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await git([
      'init',
      '--bare',
      '--quiet',
      `--initial-branch=${branch}`,
      target,
    ]);
    await git(
      ['push', '--quiet', target, `HEAD:refs/heads/${branch}`],
      sourceDir,
    );
    const { stdout } = await git(['rev-parse', 'HEAD'], sourceDir);
    return stdout.toString().trim();
  }

  /** The commit a ref points at, and a file's content in it. */
  async readFile(
    address: RepositoryAddress,
    ref: string,
    filePath: string,
  ): Promise<{ commit: string; content: Buffer }> {
    const gitDir = this.pathOf(address);
    const commit = await git([
      '--git-dir',
      gitDir,
      'rev-parse',
      '--verify',
      '--quiet',
      `${ref}^{commit}`,
    ]).then(
      ({ stdout }) => stdout.toString().trim(),
      () => {
        throw new NotFoundError(`No ref ${ref} in ${gitDir}`);
      },
    );
    const content = await git([
      '--git-dir',
      gitDir,
      'show',
      `${commit}:${filePath.replace(/^\/+/, '')}`,
    ]).then(
      ({ stdout }) => stdout,
      () => {
        throw new NotFoundError(`No ${filePath} at ${ref} in ${gitDir}`);
      },
    );
    return { commit, content };
  }
}
