import { paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { LoggerService } from '@backstage/backend-plugin-api';
import { AwsClientFactory } from '../../aws/AwsClientFactory';
import { ServiceStateLocation, stateObjectKey } from '../../aws/terraformState';

/** After a failed read, how long a bucket is taken as unreadable without asking again. */
const RETRY_UNREADABLE_AFTER_MS = 5 * 60_000;

/**
 * What the state bucket says of an environment: its state object exists
 * (`present`); it does not while another environment's does (`absent`); or
 * it cannot tell (`unknown`).
 */
export type StateObjectPresence = 'present' | 'absent' | 'unknown';

/**
 * Whether an environment's Terraform state exists. On a service from the
 * template, none exists until that environment's deploy has run: a new
 * service's prod, awaiting approval while dev runs, has none. It lists the
 * service's state prefix (`s3:ListBucket`, which the cluster discovery needs
 * too). `absent` needs proof that the service keeps its states there: another
 * environment's state under the same prefix. No state at all (nothing applied
 * yet, or states kept elsewhere), any error and a check that takes longer
 * than `timeoutMs` are `unknown`; after one of those the bucket is not asked
 * again for a while, so missing credentials or an unreachable S3 do not slow
 * every probe down.
 */
export class TerraformStateChecker {
  private readonly clients = new Map<string, Promise<S3Client>>();
  private readonly unreadableUntil = new Map<string, number>();

  constructor(
    private readonly options: {
      awsClientFactory: AwsClientFactory;
      logger: LoggerService;
      /** How long one check may take (the probe waits for it); then it is `unknown`. */
      timeoutMs: number;
    },
  ) {}

  /** The `s3://` URL of an environment's state object. */
  static stateUrl(location: ServiceStateLocation, environment: string): string {
    return `s3://${location.bucket}/${stateObjectKey(location, environment)}`;
  }

  async check(
    location: ServiceStateLocation,
    environment: string,
  ): Promise<StateObjectPresence> {
    const until = this.unreadableUntil.get(location.bucket);
    if (until !== undefined && Date.now() < until) return 'unknown';
    let keys: Set<string>;
    try {
      keys = await this.stateKeys(location);
    } catch (error) {
      this.markUnreadable(location, error);
      return 'unknown';
    }
    if (keys.has(stateObjectKey(location, environment))) return 'present';
    return keys.size > 0 ? 'absent' : 'unknown';
  }

  /** The keys of every environment's state object under the prefix. */
  private async stateKeys(
    location: ServiceStateLocation,
  ): Promise<Set<string>> {
    const s3 = await this.s3For(location);
    const isStateKey = (key: string) =>
      key === stateObjectKey(location, key.split('/').at(-2) ?? '');
    const keys = new Set<string>();
    const pages = paginateListObjectsV2(
      { client: s3 },
      { Bucket: location.bucket, Prefix: `${location.prefix}/` },
      { abortSignal: AbortSignal.timeout(this.options.timeoutMs) },
    );
    for await (const page of pages) {
      for (const { Key } of page.Contents ?? []) {
        if (Key && isStateKey(Key)) keys.add(Key);
      }
    }
    return keys;
  }

  private s3For(location: ServiceStateLocation): Promise<S3Client> {
    const key = `${location.region}/${location.accountId ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.options.awsClientFactory
        .create({ region: location.region, accountId: location.accountId })
        .then(clients => clients.s3);
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  private markUnreadable(location: ServiceStateLocation, error: unknown): void {
    this.unreadableUntil.set(
      location.bucket,
      Date.now() + RETRY_UNREADABLE_AFTER_MS,
    );
    this.options.logger.warn(
      `cannot list the Terraform states in s3://${location.bucket}/${
        location.prefix
      }/ (${
        error instanceof Error ? error.message : String(error)
      }); until it can, endpoints there that never answered show their probe result rather than "not deployed yet"`,
    );
  }
}
