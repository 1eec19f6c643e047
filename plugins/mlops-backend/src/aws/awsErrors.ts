import { NotAllowedError } from '@backstage/errors';

/** The parts of an AWS SDK v3 service exception this plugin reads. */
interface AwsErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Forbidden',
  'UnauthorizedOperation',
  'AllAccessDisabled',
]);

/** IAM actions whose names differ from the API operation that needs them. */
const IAM_ACTION_BY_OPERATION: Record<string, string> = {
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
};

const SERVICE_PREFIX_BY_CLIENT: Record<string, string> = {
  S3Client: 's3',
  ECRClient: 'ecr',
  DynamoDBClient: 'dynamodb',
  STSClient: 'sts',
};

export function awsErrorCode(error: unknown): string | undefined {
  const shape = error as AwsErrorShape | undefined;
  return shape?.name ?? shape?.Code;
}

export function awsHttpStatus(error: unknown): number | undefined {
  return (error as AwsErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** Whether an AWS call failed with one of the given error codes. */
export function isAwsError(error: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && codes.includes(code);
}

export function isAccessDenied(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && ACCESS_DENIED_CODES.has(code);
}

/** Whether the SDK found no credentials at all (before sending anything). */
export function isMissingCredentials(error: unknown): boolean {
  return awsErrorCode(error) === 'CredentialsProviderError';
}

/** The IAM action an API operation needs, e.g. `s3:PutEncryptionConfiguration`. */
export function iamActionFor(clientName: string, commandName: string): string {
  const prefix =
    SERVICE_PREFIX_BY_CLIENT[clientName] ??
    clientName.replace(/Client$/, '').toLowerCase();
  const operation = `${prefix}:${commandName.replace(/Command$/, '')}`;
  return IAM_ACTION_BY_OPERATION[operation] ?? operation;
}

function describeResource(input: Record<string, unknown> | undefined): string {
  const name =
    input?.Bucket ??
    input?.repositoryName ??
    input?.TableName ??
    input?.RoleName ??
    input?.PolicyArn ??
    input?.OpenIDConnectProviderArn ??
    input?.CertificateArn;
  return typeof name === 'string' ? ` on "${name}"` : '';
}

/**
 * Turns an access-denied failure into an error that names the IAM action the
 * credentials lack; any other error passes through unchanged.
 */
export function explainAccessDenied(
  error: unknown,
  clientName: string,
  commandName: string,
  input?: Record<string, unknown>,
): unknown {
  if (!isAccessDenied(error)) {
    return error;
  }
  const action = iamActionFor(clientName, commandName);
  return new NotAllowedError(
    `AWS denied ${action}${describeResource(
      input,
    )}. Allow ${action} for the credentials ` +
      `Backstage uses (aws.mainAccount or aws.accounts in app-config).`,
    error instanceof Error ? error : undefined,
  );
}
