import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort, ownUntilExit } from '@internal/local-processes';

/** The account moto answers for, with any credentials. */
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

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Stops a child process and waits until it has gone. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
  /** The end of moto's log: a line per request with its status, and any traceback. */
  log(): string;
}

/** Enough for every request of a root's apply (about a thousand lines). */
const LOG_LIMIT = 512 * 1024;

/**
 * A moto server (the AWS emulator) on a free loopback port, for the tests
 * that run the template's real bootstrap actions and for verify's
 * `terraform apply`. With `awsManagedPolicies` its IAM holds the AWS-managed
 * policies (such as ReadOnlyAccess), as every AWS account does. With
 * `accountId` every request lands in that account (MOTO_ACCOUNT_ID) instead
 * of {@link MOTO_ACCOUNT_ID}, whatever the credentials.
 */
export async function startMotoServer(
  options: { awsManagedPolicies?: boolean; accountId?: string } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const [command, prefix] = motoCommand();
  const child = spawn(
    command,
    [...prefix, '-H', '127.0.0.1', '-p', `${port}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        ...(options.awsManagedPolicies && {
          MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
        }),
        ...(options.accountId && { MOTO_ACCOUNT_ID: options.accountId }),
      },
    },
  );
  ownUntilExit(child);
  let stderr = '';
  child.stderr?.on('data', chunk => {
    stderr = `${stderr}${chunk}`.slice(-LOG_LIMIT);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => terminate(child);
  const log = () => stderr;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (await answers(`${endpoint}/moto-api/data.json`)) {
      return { endpoint, stop, log };
    }
    if (child.exitCode !== null) {
      break;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`moto did not start on ${endpoint}: ${stderr.slice(-4000)}`);
}
