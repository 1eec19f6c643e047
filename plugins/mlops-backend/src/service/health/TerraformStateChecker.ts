import { S3Client } from '@aws-sdk/client-s3';
import { LoggerService } from '@backstage/backend-plugin-api';
import { AwsClientFactory } from '../../aws/AwsClientFactory';
import {
  environmentsWithState,
  ServiceStateLocation,
  statePrefixUrl,
} from '../../aws/terraformState';

/** After a failed read, how long a bucket is taken as unreadable without asking again. */
const RETRY_UNREADABLE_AFTER_MS = 5 * 60_000;

/**
 * What the state bucket says of an environment: its state object exists; it
 * does not (with the environments whose states do); or it cannot tell.
 */
export type StateFinding =
  | { presence: 'present' }
  | { presence: 'absent'; environmentsWithState: string[] }
  | { presence: 'unknown' };

const UNKNOWN: StateFinding = { presence: 'unknown' };

/**
 * Whether an environment's Terraform state exists under the service's
 * `mlops/tfstate`. On a service from the template, none exists until that
 * environment's deploy has applied Terraform: not on a new service before
 * its first deploy, nor for its prod while that awaits approval. It lists
 * the service's state prefix (`s3:ListBucket`, which the cluster discovery
 * needs too). An error, or a check that takes longer than `timeoutMs`, is
 * `unknown`; after one the bucket is not asked again for a while, so missing
 * credentials or an unreachable S3 do not slow every probe down.
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

  async check(
    location: ServiceStateLocation,
    environment: string,
  ): Promise<StateFinding> {
    const until = this.unreadableUntil.get(location.bucket);
    if (until !== undefined && Date.now() < until) return UNKNOWN;
    let environments: string[];
    try {
      environments = await environmentsWithState(
        await this.s3For(location),
        location,
        AbortSignal.timeout(this.options.timeoutMs),
      );
    } catch (error) {
      this.markUnreadable(location, error);
      return UNKNOWN;
    }
    return environments.includes(environment)
      ? { presence: 'present' }
      : { presence: 'absent', environmentsWithState: environments };
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
      `cannot list the Terraform states in ${statePrefixUrl(location)} (${
        error instanceof Error ? error.message : String(error)
      }); until it can, endpoints there that never answered show their probe result rather than "not deployed yet"`,
    );
  }
}
