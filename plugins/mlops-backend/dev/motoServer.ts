import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { ownUntilExit } from '@internal/local-processes';

const SNAPSHOT_SERVICES = ['s3', 'ecr', 'dynamodb', 'kms'];

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

/** The account moto answers for with its default credentials. */
export const MOTO_ACCOUNT_ID = '123456789012';

export const MOTO_CREDENTIALS = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
};

/** `moto_server` from PATH (or MOTO_SERVER), else `python3 -m moto.server`. */
function motoCommand(): [string, string[]] {
  const explicit = process.env.MOTO_SERVER;
  if (explicit) {
    return [explicit, []];
  }
  const onPath = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (onPath.status === 0) {
    return ['moto_server', []];
  }
  return ['python3', ['-m', 'moto.server']];
}

/**
 * A real moto server on a loopback port, for `yarn start`, the benches
 * and the tests that talk to AWS APIs through the real SDK and HTTP. It is
 * stopped when this process exits, however it exits (ownUntilExit).
 */
export class MotoServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  /**
   * Starts moto on port 0, so the kernel picks a free port with no race,
   * and takes the address from the line werkzeug prints once it listens.
   * With `awsManagedPolicies`, IAM knows the AWS-managed policies (such as
   * ReadOnlyAccess) as AWS does; loading them costs about a second per reset.
   */
  static async start(
    options: { awsManagedPolicies?: boolean } = {},
  ): Promise<MotoServer> {
    const [command, prefix] = motoCommand();
    const child = spawn(command, [...prefix, '-H', '127.0.0.1', '-p', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        ...(options.awsManagedPolicies && {
          MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
        }),
      },
    });
    ownUntilExit(child);
    let stderr = '';
    child.once('error', error => {
      stderr += `${command}: ${error.message}`;
    });
    const endpoint = new Promise<string>(resolve => {
      child.stderr?.on('data', chunk => {
        stderr = (stderr + chunk).slice(-4000);
        const address = /Running on (http:\/\/127\.0\.0\.1:[1-9]\d*)/.exec(
          stderr,
        );
        if (address) {
          resolve(address[1]);
        }
      });
    });
    const started = await Promise.race([
      endpoint,
      new Promise<undefined>(resolve => {
        child.once('exit', () => resolve(undefined));
        setTimeout(resolve, 20_000, undefined).unref();
      }),
    ]);
    if (!started) {
      child.kill('SIGTERM');
      throw new Error(
        `moto_server did not report a listening address (exit code ${child.exitCode}, waited up to 20 s): ${stderr}`,
      );
    }
    return new MotoServer(child, started);
  }

  async reset(): Promise<void> {
    const res = await fetch(`${this.endpoint}/moto-api/reset`, {
      method: 'POST',
    });
    if (!res.ok) {
      throw new Error(`moto reset failed: ${res.status}`);
    }
  }

  /**
   * Every S3, ECR, DynamoDB and KMS resource moto holds: equal snapshots mean
   * nothing changed. Moto creates empty collections, predefined ACL grantees
   * and IAM/STS bookkeeping lazily on mere reads, so those are left out.
   */
  async snapshot(): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.endpoint}/moto-api/data.json`);
    const data = (await res.json()) as Record<
      string,
      Record<string, unknown[]>
    >;
    return Object.fromEntries(
      SNAPSHOT_SERVICES.map(service => [
        service,
        resourcesOf(data[service] ?? {}),
      ]),
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    await new Promise<void>(resolve => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
