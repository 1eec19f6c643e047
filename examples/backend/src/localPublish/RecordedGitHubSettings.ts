import { NotFoundError } from '@backstage/errors';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import {
  LocalGitRepositories,
  RepositoryAddress,
} from './LocalGitRepositories';

/** What `github:environment:create` would have set on one environment. */
export type RecordedEnvironment = {
  deploymentBranchPolicy: {
    protected_branches: boolean;
    custom_branch_policies: boolean;
  } | null;
  customBranchPolicyNames: string[];
  customTagPolicyNames: string[];
  variables: Record<string, string>;
  /** Names only: a secret's value is never written down. */
  secretNames: string[];
  /** Entity references, as given; GitHub would resolve them to users and teams. */
  reviewers: string[];
  preventSelfReview: boolean;
  waitTimer: number;
};

/** A workflow dispatch `github:actions:dispatch` would have sent. */
export type RecordedDispatch = {
  workflowId: string;
  ref: string;
  /** The commit the ref pointed at: the one GitHub would have run. */
  commit: string;
  inputs: Record<string, string>;
  recordedAt: string;
};

/** What `publish:github` would have set on the new repository besides its content. */
export type RepositorySettings = {
  visibility: string;
  /** Users and teams given access, as given (entity references or names). */
  collaborators: Array<
    { access: string; user: string } | { access: string; team: string }
  >;
  variables: Record<string, string>;
  /** Secret names of the repository; their values are never written down. */
  secretNames: string[];
};

/** Everything the local GitHub stand-in was asked to do to one repository. */
export type GitHubSettingsRecord = RepositorySettings & {
  repository: string;
  note: string;
  environments: Record<string, RecordedEnvironment>;
  dispatches: RecordedDispatch[];
};

/** The prefix of every task log line the GitHub stand-ins write. */
export const LOCAL_DEMO = '[local demo]';

const NOTE =
  'Recorded by the local demo instead of calling GitHub: what GitHub would have been asked to set and run. Nothing ran.';

/**
 * The local demo's record of the repository settings, environments and
 * workflow dispatches GitHub would have received, one JSON file beside each
 * bare repository: `<host>/<owner>/<repo>.github.json`. Every change is a
 * read-modify-write of the whole file, one at a time per file in this process,
 * and replaces the file atomically.
 */
export class RecordedGitHubSettings {
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(readonly repositories: LocalGitRepositories) {}

  pathOf(address: RepositoryAddress): string {
    return this.repositories.pathOf(address).replace(/\.git$/, '.github.json');
  }

  /** A task log entry: where the record is, and all of it. */
  describe(address: RepositoryAddress, record: GitHubSettingsRecord): string {
    return `${LOCAL_DEMO} recorded in ${this.pathOf(
      address,
    )}:\n${JSON.stringify(record, null, 2)}`;
  }

  /** The record of a repository; what a new repository starts with when none was written. */
  async read(address: RepositoryAddress): Promise<GitHubSettingsRecord> {
    const text = await fs
      .readFile(this.pathOf(address), 'utf8')
      .catch(() => undefined);
    return text ? JSON.parse(text) : emptyRecord(address);
  }

  /** Starts the record of a newly published repository, replacing any stale one. */
  create(
    address: RepositoryAddress,
    settings: RepositorySettings,
  ): Promise<GitHubSettingsRecord> {
    return this.write(address, () => ({
      ...emptyRecord(address),
      ...settings,
    }));
  }

  /** Changes the record of a repository that was published locally. */
  async update(
    address: RepositoryAddress,
    change: (record: GitHubSettingsRecord) => GitHubSettingsRecord,
  ): Promise<GitHubSettingsRecord> {
    if (!this.repositories.has(address)) {
      throw new NotFoundError(
        `No repository ${address.owner}/${
          address.repo
        } in the local demo (${this.repositories.pathOf(
          address,
        )}); GitHub would answer 404. Publish it first with publish:github.`,
      );
    }
    return this.write(address, async () => change(await this.read(address)));
  }

  private write(
    address: RepositoryAddress,
    next: () => GitHubSettingsRecord | Promise<GitHubSettingsRecord>,
  ): Promise<GitHubSettingsRecord> {
    const file = this.pathOf(address);
    const previous = this.pending.get(file) ?? Promise.resolve();
    const written = previous
      .catch(() => undefined)
      .then(async () => {
        const record = await next();
        const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
        await fs.writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
        await fs.rename(temporary, file);
        return record;
      });
    this.pending.set(file, written);
    return written.finally(() => {
      if (this.pending.get(file) === written) {
        this.pending.delete(file);
      }
    });
  }
}

/** `variables A=x, B=y`, or `no variables`. */
export function describeVariables(variables: Record<string, string>): string {
  const list = Object.entries(variables).map(
    ([name, value]) => `${name}=${value}`,
  );
  return list.length ? `variables ${list.join(', ')}` : 'no variables';
}

function emptyRecord({ host, owner, repo }: RepositoryAddress) {
  return {
    repository: `${host}/${owner}/${repo}`,
    note: NOTE,
    visibility: 'private',
    collaborators: [],
    variables: {},
    secretNames: [],
    environments: {},
    dispatches: [],
  };
}
