import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { ownUntilExit, stopProcess } from '@internal/local-processes';

/** The account moto answers for, with any credentials (unless started with another `accountId`). */
export const MOTO_ACCOUNT_ID = '123456789012';

export const MOTO_CREDENTIALS = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
};

/** `moto_server` from PATH (or MOTO_SERVER), else `python3 -m moto.server`. */
export function motoCommand(): [string, string[]] {
  if (process.env.MOTO_SERVER) {
    return [process.env.MOTO_SERVER, []];
  }
  const onPath = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return onPath.status === 0
    ? ['moto_server', []]
    : ['python3', ['-m', 'moto.server']];
}

export interface MotoServerOptions {
  /** IAM holds the AWS-managed policies (such as ReadOnlyAccess), as every AWS account does; about a second more per start and reset. */
  awsManagedPolicies?: boolean;
  /** Every request lands in this account (MOTO_ACCOUNT_ID) instead of {@link MOTO_ACCOUNT_ID}, whatever the credentials. */
  accountId?: string;
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Forgets every resource (moto's reset API). */
  reset(): Promise<void>;
  /** Every S3, ECR, DynamoDB and KMS resource moto holds: equal snapshots mean nothing changed. */
  snapshot(): Promise<Record<string, unknown>>;
  /** The end of moto's log: a line per request with its status, and any traceback. */
  log(): string;
  /** Stops moto and waits until it has gone. */
  stop(): Promise<void>;
}

/** Enough for every request of a root's apply (about a thousand lines). */
const LOG_LIMIT = 512 * 1024;
const START_TIMEOUT_MS = 30_000;
const SNAPSHOT_SERVICES = ['s3', 'ecr', 'dynamodb', 'kms'];

/**
 * Moto creates empty collections, predefined ACL grantees and IAM/STS
 * bookkeeping lazily on mere reads: those are left out of a snapshot.
 */
function resourcesOf(
  collections: Record<string, unknown[]>,
): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(collections)
      .map(([name, items]): [string, unknown[]] => [
        name,
        items.filter(item => (item as { type?: string }).type !== 'Group'),
      ])
      .filter(([, items]) => items.length > 0),
  );
}

/** The address werkzeug prints once it listens, or undefined if moto fails, exits or times out first. */
function listeningAddress(
  child: ChildProcess,
  log: () => string,
): Promise<string | undefined> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, START_TIMEOUT_MS, undefined);
    const done = (address: string | undefined) => {
      clearTimeout(timer);
      resolve(address);
    };
    child.stderr!.on('data', () => {
      const address = /Running on (http:\/\/127\.0\.0\.1:[1-9]\d*)/.exec(log());
      if (address) done(address[1]);
    });
    child.once('exit', () => done(undefined));
    // A command that cannot be run emits 'error', and maybe no 'exit'.
    child.once('error', () => done(undefined));
  });
}

/**
 * Starts a moto server on port 0, so the kernel picks a free port with no
 * race, and takes its address from the line werkzeug prints once it listens.
 * It stops when this process ends, however it ends (ownUntilExit).
 */
export async function startMotoServer(
  options: MotoServerOptions = {},
): Promise<MotoServer> {
  const [command, prefix] = motoCommand();
  const child = spawn(command, [...prefix, '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...(options.awsManagedPolicies && {
        MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      }),
      ...(options.accountId && { MOTO_ACCOUNT_ID: options.accountId }),
    },
  });
  ownUntilExit(child);
  let stderr = '';
  child.once('error', error => {
    stderr += `${command}: ${error.message}\n`;
  });
  child.stderr!.on('data', chunk => {
    stderr = `${stderr}${chunk}`.slice(-LOG_LIMIT);
  });
  const log = () => stderr;
  const endpoint = await listeningAddress(child, log);
  if (!endpoint) {
    await stopProcess(child);
    throw new Error(
      `moto (${command}) did not report a listening address within ${
        START_TIMEOUT_MS / 1000
      } s (exit code ${
        child.exitCode
      }); install it with \`pip install 'moto[server]'\` or set MOTO_SERVER: ${stderr.slice(
        -4000,
      )}`,
    );
  }
  return {
    endpoint,
    log,
    stop: () => stopProcess(child),
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, {
        method: 'POST',
      });
      if (!response.ok) {
        throw new Error(`moto reset failed: HTTP ${response.status}`);
      }
    },
    async snapshot() {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      const data = (await response.json()) as Record<
        string,
        Record<string, unknown[]>
      >;
      return Object.fromEntries(
        SNAPSHOT_SERVICES.map(service => [
          service,
          resourcesOf(data[service] ?? {}),
        ]),
      );
    },
  };
}
