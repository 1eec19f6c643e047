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

/** What AWS's own access-denied message says, when it says it. */
interface AwsDenial {
  action?: string;
  resource?: string;
  /** e.g. "with an explicit deny in a service control policy". */
  reason?: string;
}

/**
 * Reads AWS's message, e.g. "User: arn:… is not authorized to perform:
 * iam:TagRole on resource: arn:… because no identity-based policy allows the
 * iam:TagRole action". It names the action really denied, which is not the
 * called operation's when a create call tags (iam:TagRole), when AssumeRole
 * fails while credentials are fetched, or when a boundary or SCP denies.
 */
export function awsDenialOf(error: unknown): AwsDenial {
  const message = (error as AwsErrorShape | undefined)?.message ?? '';
  const action = /not authorized to perform:?\s+([\w-]+:[\w*]+)/.exec(
    message,
  )?.[1];
  const resource = /on resource:?\s+"?([^"\s]+?)"?(?:\s|$)/.exec(message)?.[1];
  const reason = /\b((?:because|with an explicit deny)\b.*?)\.?\s*$/.exec(
    message,
  )?.[1];
  return { action, resource, reason };
}

function serviceOf(action: string): string {
  return action.slice(0, action.indexOf(':'));
}

function remedyFor(action: string, reason: string | undefined): string {
  if (action.startsWith('sts:AssumeRole')) {
    return (
      `Backstage could not assume the role: its trust policy must trust the credentials Backstage ` +
      `uses, and they must be allowed ${action} on it (aws.accounts in app-config).`
    );
  }
  if (reason?.startsWith('with an explicit deny')) {
    return (
      `Allowing ${action} in Backstage's own policies is not enough: whoever owns that ` +
      `policy must lift the deny for the credentials Backstage uses.`
    );
  }
  if (reason?.includes('permissions boundary')) {
    return `Allow ${action} in the permissions boundary of the credentials Backstage uses, as well as in their policies.`;
  }
  return (
    `Allow ${action} for the credentials ` +
    `Backstage uses (aws.mainAccount or aws.accounts in app-config).`
  );
}

/**
 * Turns an access-denied failure into an error that names the IAM action the
 * credentials lack (AWS's own word for it when its message gives one, else the
 * action the operation needs); any other error passes through unchanged.
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
  const called = iamActionFor(clientName, commandName);
  const denial = awsDenialOf(error);
  const action = denial.action ?? called;
  // A denial from another service (STS while fetching credentials) is not about the input's resource.
  const onInput = serviceOf(action) === serviceOf(called);
  const resource =
    (onInput && describeResource(input)) ||
    (denial.resource ? ` on ${denial.resource}` : '');
  const reason = denial.reason ? ` (${denial.reason})` : '';
  return new NotAllowedError(
    `AWS denied ${action}${resource}${reason}. ${remedyFor(
      action,
      denial.reason,
    )}`,
    error instanceof Error ? error : undefined,
  );
}
