import { ACMClient } from '@aws-sdk/client-acm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { MiddlewareStack } from '@aws-sdk/types';
import { Config } from '@backstage/config';
import { ConflictError } from '@backstage/errors';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { explainAccessDenied } from './awsErrors';

/**
 * The AWS service clients one action run needs, bound to one region and account.
 */
export interface AwsClients {
  region: string;
  s3: S3Client;
  ecr: ECRClient;
  dynamodb: DynamoDBClient;
  /** IAM is global; the region only picks the partition's endpoint. */
  iam: IAMClient;
  acm: ACMClient;
  kms: KMSClient;
  /**
   * The account the credentials belong to (STS GetCallerIdentity, cached),
   * checked against the requested account when one was given.
   */
  resolveAccountId(): Promise<string>;
}

/**
 * Where AWS is reached: the real endpoints, or an emulator from `mlops.aws`.
 */
export interface AwsEndpointOptions {
  endpoint?: string;
  forcePathStyle?: boolean;
}

/**
 * Told of every AWS API call before it is sent; tests use it to prove what was (not) called.
 */
export type AwsCallObserver = (call: {
  clientName: string;
  commandName: string;
}) => void;

type AnyAwsClient =
  | ACMClient
  | S3Client
  | ECRClient
  | DynamoDBClient
  | IAMClient
  | KMSClient
  | STSClient;

/**
 * Builds AWS SDK v3 clients with credentials from `@backstage/integration-aws-node`
 * (`aws.mainAccount`, `aws.accounts`) and the optional emulator endpoint of
 * `mlops.aws`. Every client names the missing IAM action when AWS denies a call.
 */
export class AwsClientFactory {
  static fromConfig(
    config: Config,
    observer?: AwsCallObserver,
  ): AwsClientFactory {
    const endpoint = config.getOptionalString('mlops.aws.endpoint');
    const forcePathStyle =
      config.getOptionalBoolean('mlops.aws.forcePathStyle') ??
      Boolean(endpoint);
    return new AwsClientFactory(
      DefaultAwsCredentialsManager.fromConfig(config),
      { endpoint, forcePathStyle },
      observer,
    );
  }

  constructor(
    private readonly credentialsManager: AwsCredentialsManager,
    private readonly endpointOptions: AwsEndpointOptions = {},
    private readonly observer?: AwsCallObserver,
  ) {}

  async create(options: {
    region: string;
    accountId?: string;
  }): Promise<AwsClients> {
    const { region, accountId } = options;
    const provider = await this.credentialsManager.getCredentialProvider(
      accountId ? { accountId } : undefined,
    );
    const common = {
      region,
      credentials: provider.sdkCredentialProvider,
      endpoint: this.endpointOptions.endpoint,
      maxAttempts: 3,
    };
    const sts = this.instrument(new STSClient(common));
    let accountIdPromise: Promise<string> | undefined;
    return {
      region,
      s3: this.instrument(
        new S3Client({
          ...common,
          forcePathStyle: this.endpointOptions.forcePathStyle,
          followRegionRedirects: true,
        }),
      ),
      ecr: this.instrument(new ECRClient(common)),
      dynamodb: this.instrument(new DynamoDBClient(common)),
      iam: this.instrument(new IAMClient(common)),
      acm: this.instrument(new ACMClient(common)),
      kms: this.instrument(new KMSClient(common)),
      resolveAccountId: () => {
        accountIdPromise ??= callerAccountId(sts, accountId);
        return accountIdPromise;
      },
    };
  }

  private instrument<T extends AnyAwsClient>(client: T): T {
    const observer = this.observer;
    const stack = client.middlewareStack as unknown as MiddlewareStack<
      object,
      object
    >;
    stack.add(
      (next, context) => async args => {
        const clientName = context.clientName ?? 'UnknownClient';
        const commandName = context.commandName ?? 'UnknownCommand';
        observer?.({ clientName, commandName });
        try {
          return await next(args);
        } catch (error) {
          throw explainAccessDenied(
            error,
            clientName,
            commandName,
            args.input as Record<string, unknown>,
          );
        }
      },
      { step: 'initialize', name: 'mlopsExplainAccessDenied' },
    );
    return client;
  }
}

async function callerAccountId(
  sts: STSClient,
  expectedAccountId: string | undefined,
): Promise<string> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const actual = identity.Account ?? '';
  if (expectedAccountId && actual !== expectedAccountId) {
    throw new ConflictError(
      `The credentials configured for AWS account ${expectedAccountId} belong to account ${actual}. ` +
        `Fix aws.accounts in app-config so that account ${expectedAccountId} uses its own credentials or role.`,
    );
  }
  return actual;
}
