import { LoggerService } from '@backstage/backend-plugin-api';
import {
  deployTagPattern,
  EcrRepositoryLocation,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { AwsClientFactory, AwsClients } from '../../aws/AwsClientFactory';
import { environmentsWithDeployedImage } from '../../aws/deployedImages';
import { DeployRecords } from '../../aws/deployRecords';
import {
  environmentsWithState,
  ServiceStateLocation,
  statePrefixUrl,
  stateUrl,
} from '../../aws/terraformState';

/** After a failed read, how long a record is taken as unreadable without asking again. */
const RETRY_UNREADABLE_AFTER_MS = 5 * 60_000;

/** What a service's deploy records say of an environment: deployed, or not and why. */
export type DeployFinding =
  | { deployed: true }
  | { deployed: false; reason: string };

/** One kind of record: what it is, where, and which environments it shows deployed. */
interface RecordReader {
  /** Identifies the record for the unreadable back-off. */
  key: string;
  /** Where it is, for messages. */
  where: string;
  region: string;
  accountId?: string;
  environments(clients: AwsClients, signal: AbortSignal): Promise<string[]>;
  /** What is missing of `environment`'s deploy, as a clause. */
  missing(environment: string): string;
}

/**
 * Tells an environment that has not been deployed yet from one that has, by
 * the traces the template's deploy workflow leaves. First the service's ECR
 * repository: the deploy tags the image it rolls out `<env>-run-<run>-<attempt>`
 * just before the rollout, and the lifecycle policy keeps the last ones.
 * When that cannot be read (no `mlops/ecr-repository`, no `ecr:ListImages`),
 * the Terraform states: an environment's apply writes its state from its
 * start, so this one says only that the deploy started. An error, or a read
 * that takes longer than `timeoutMs`, tells nothing; after one, that record
 * is not read again for a while, so missing permissions or an unreachable
 * AWS do not slow every probe down.
 */
export class DeployRecordChecker {
  private readonly clients = new Map<string, Promise<AwsClients>>();
  private readonly unreadableUntil = new Map<string, number>();

  constructor(
    private readonly options: {
      awsClientFactory: AwsClientFactory;
      logger: LoggerService;
      /** How long one read may take (the probe waits for it); then it tells nothing. */
      timeoutMs: number;
    },
  ) {}

  async check(
    records: DeployRecords,
    environment: string,
  ): Promise<DeployFinding | undefined> {
    for (const reader of readersOf(records)) {
      const deployed = await this.read(reader);
      if (deployed) {
        return deployed.includes(environment)
          ? { deployed: true }
          : { deployed: false, reason: absence(reader, environment, deployed) };
      }
    }
    return undefined;
  }

  private async read(reader: RecordReader): Promise<string[] | undefined> {
    const until = this.unreadableUntil.get(reader.key);
    if (until !== undefined && Date.now() < until) return undefined;
    try {
      return await reader.environments(
        await this.clientsFor(reader),
        AbortSignal.timeout(this.options.timeoutMs),
      );
    } catch (error) {
      this.markUnreadable(reader, error);
      return undefined;
    }
  }

  private clientsFor(reader: RecordReader): Promise<AwsClients> {
    const key = `${reader.region}/${reader.accountId ?? ''}`;
    let clients = this.clients.get(key);
    if (!clients) {
      clients = this.options.awsClientFactory.create({
        region: reader.region,
        accountId: reader.accountId,
      });
      clients.catch(() => this.clients.delete(key));
      this.clients.set(key, clients);
    }
    return clients;
  }

  private markUnreadable(reader: RecordReader, error: unknown): void {
    this.unreadableUntil.set(
      reader.key,
      Date.now() + RETRY_UNREADABLE_AFTER_MS,
    );
    this.options.logger.warn(
      `cannot read ${reader.where} (${
        error instanceof Error ? error.message : String(error)
      }); until it can, it does not tell endpoints there that never answered apart from ones not deployed yet`,
    );
  }
}

function readersOf(records: DeployRecords): RecordReader[] {
  return [
    records.images && imageReader(records.images),
    records.states && stateReader(records.states),
  ].filter((reader): reader is RecordReader => reader !== undefined);
}

function imageReader(repository: EcrRepositoryLocation): RecordReader {
  const name = repository.repositoryName;
  return {
    key: `ecr:${repository.region}:${repository.accountId}:${name}`,
    where: `the image tags of ECR repository ${name} (${repository.accountId}, ${repository.region})`,
    region: repository.region,
    accountId: repository.accountId,
    environments: (clients, signal) =>
      environmentsWithDeployedImage(clients.ecr, repository, signal),
    missing: environment =>
      `no image in ECR repository ${name} is tagged ${deployTagPattern(
        environment,
      )}`,
  };
}

function stateReader(location: ServiceStateLocation): RecordReader {
  return {
    key: `s3:${location.bucket}`,
    where: `the Terraform states in ${statePrefixUrl(location)}`,
    region: location.region,
    accountId: location.accountId,
    environments: (clients, signal) =>
      environmentsWithState(clients.s3, location, signal),
    missing: environment =>
      `${environment} has no Terraform state at ${stateUrl(
        location,
        environment,
      )}`,
  };
}

/** Why `environment` is not deployed, given the environments that are. */
function absence(
  reader: RecordReader,
  environment: string,
  deployed: string[],
): string {
  const missing = reader.missing(environment);
  if (deployed.length === 0) {
    return `${missing}, nor has any other environment been deployed: no deploy of the service has run yet (on a new service, the deploy workflow starts on the first push)`;
  }
  const others =
    deployed.length > 1
      ? `${deployed.slice(0, -1).join(', ')} and ${deployed.at(-1)} have theirs`
      : `${deployed[0]} has its`;
  return `${missing} while ${others}, so ${environment}'s deploy has not run (on a new service, the deploy workflow waits for approval before ${environment})`;
}
