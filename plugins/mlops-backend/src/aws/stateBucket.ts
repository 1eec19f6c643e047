import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  ServerSideEncryptionByDefault,
} from '@aws-sdk/client-s3';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { awsHttpStatus, isAwsError } from './awsErrors';
import {
  canonicalJson,
  fromTagList,
  missingTags,
  partitionOf,
  PlannedChange,
  toTagList,
} from './plannedChange';

/** How the state bucket should look. */
export interface DesiredStateBucket {
  bucketName: string;
  region: string;
  encryption: 'KMS' | 'AES256';
  kmsKeyId?: string;
  tags: Record<string, string>;
}

/** What a read-only inspection found. */
export interface StateBucketState {
  exists: boolean;
  region?: string;
  versioning?: string;
  encryption?: ServerSideEncryptionByDefault & { bucketKeyEnabled?: boolean };
  publicAccessBlock?: PublicAccessBlockConfiguration;
  objectOwnership?: string;
  policy?: PolicyDocument;
  tags: Record<string, string>;
}

interface PolicyStatement {
  Sid?: string;
  [key: string]: unknown;
}

interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

const PUBLIC_ACCESS_FLAGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

export const DENY_INSECURE_TRANSPORT_SID = 'MlopsDenyInsecureTransport';
export const DENY_OLD_TLS_SID = 'MlopsDenyTlsBelow12';

export function bucketArn(bucketName: string, region: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucketName}`;
}

/** The statements every state bucket policy must contain. */
export function requiredPolicyStatements(
  bucketName: string,
  region: string,
): PolicyStatement[] {
  const arn = bucketArn(bucketName, region);
  const common = {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
  };
  return [
    {
      Sid: DENY_INSECURE_TRANSPORT_SID,
      ...common,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: DENY_OLD_TLS_SID,
      ...common,
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    },
  ];
}

function foreignBucketError(
  bucketName: string,
  accountId: string,
): ConflictError {
  return new ConflictError(
    `S3 bucket "${bucketName}" already exists and is not owned by account ${accountId}, or these ` +
      `credentials may not read it (bucket names are global across all AWS accounts). Choose another bucketName, ` +
      `for example "${bucketName.slice(0, 40)}-${accountId}".`,
  );
}

/** Reads everything the plan needs; sends no mutating call. */
export async function inspectStateBucket(
  s3: S3Client,
  bucketName: string,
  accountId: string,
): Promise<StateBucketState> {
  const Bucket = bucketName;
  try {
    await s3.send(
      new HeadBucketCommand({ Bucket, ExpectedBucketOwner: accountId }),
    );
  } catch (error) {
    if (awsHttpStatus(error) === 404) {
      return { exists: false, tags: {} };
    }
    if (awsHttpStatus(error) === 403 || error instanceof NotAllowedError) {
      throw foreignBucketError(bucketName, accountId);
    }
    throw error;
  }
  await assertOwnedByCaller(s3, bucketName, accountId);

  const [
    location,
    versioning,
    encryption,
    publicAccessBlock,
    ownership,
    policy,
    tags,
  ] = await Promise.all([
    s3.send(new GetBucketLocationCommand({ Bucket })),
    s3.send(new GetBucketVersioningCommand({ Bucket })),
    orUndefined(
      s3.send(new GetBucketEncryptionCommand({ Bucket })),
      'ServerSideEncryptionConfigurationNotFoundError',
    ),
    orUndefined(
      s3.send(new GetPublicAccessBlockCommand({ Bucket })),
      'NoSuchPublicAccessBlockConfiguration',
    ),
    orUndefined(
      s3.send(new GetBucketOwnershipControlsCommand({ Bucket })),
      'OwnershipControlsNotFoundError',
    ),
    orUndefined(
      s3.send(new GetBucketPolicyCommand({ Bucket })),
      'NoSuchBucketPolicy',
    ),
    orUndefined(
      s3.send(new GetBucketTaggingCommand({ Bucket })),
      'NoSuchTagSet',
    ),
  ]);
  const rule = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0];
  return {
    exists: true,
    region: regionFromLocation(location.LocationConstraint),
    versioning: versioning.Status,
    encryption: rule?.ApplyServerSideEncryptionByDefault && {
      ...rule.ApplyServerSideEncryptionByDefault,
      bucketKeyEnabled: rule.BucketKeyEnabled,
    },
    publicAccessBlock: publicAccessBlock?.PublicAccessBlockConfiguration,
    objectOwnership: ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership,
    policy: policy?.Policy
      ? (JSON.parse(policy.Policy) as PolicyDocument)
      : undefined,
    tags: fromTagList(tags?.TagSet),
  };
}

/**
 * AWS answers HeadBucket with 403 when ExpectedBucketOwner differs; emulators
 * may not, so the caller's own bucket list is asked too where it is allowed.
 */
async function assertOwnedByCaller(
  s3: S3Client,
  bucketName: string,
  accountId: string,
) {
  try {
    const owned = await s3.send(new ListBucketsCommand({ Prefix: bucketName }));
    if (!(owned.Buckets ?? []).some(b => b.Name === bucketName)) {
      throw foreignBucketError(bucketName, accountId);
    }
  } catch (error) {
    if (!(error instanceof NotAllowedError)) {
      throw error;
    }
  }
}

async function orUndefined<T>(
  request: Promise<T>,
  notFoundCode: string,
): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (isAwsError(error, notFoundCode)) {
      return undefined;
    }
    throw error;
  }
}

function regionFromLocation(location: string | undefined): string {
  if (!location) {
    return 'us-east-1';
  }
  return location === 'EU' ? 'eu-west-1' : location;
}

function encryptionMatches(
  state: StateBucketState,
  desired: DesiredStateBucket,
): boolean {
  const actual = state.encryption;
  if (desired.encryption === 'AES256') {
    return actual?.SSEAlgorithm === 'AES256';
  }
  if (
    actual?.SSEAlgorithm !== 'aws:kms' &&
    actual?.SSEAlgorithm !== 'aws:kms:dsse'
  ) {
    return false;
  }
  if (!desired.kmsKeyId) {
    return true;
  }
  const actualKey = actual.KMSMasterKeyID ?? '';
  return (
    actualKey === desired.kmsKeyId || actualKey.endsWith(`/${desired.kmsKeyId}`)
  );
}

function describeEncryption(
  encryption: StateBucketState['encryption'],
): string | undefined {
  if (!encryption?.SSEAlgorithm) {
    return undefined;
  }
  return encryption.KMSMasterKeyID
    ? `${encryption.SSEAlgorithm} (${encryption.KMSMasterKeyID})`
    : encryption.SSEAlgorithm;
}

function mergedPolicy(
  state: StateBucketState,
  desired: DesiredStateBucket,
): PolicyDocument | undefined {
  const required = requiredPolicyStatements(desired.bucketName, desired.region);
  const current = state.policy?.Statement ?? [];
  const satisfied = required.every(req =>
    current.some(
      cur => cur.Sid === req.Sid && canonicalJson(cur) === canonicalJson(req),
    ),
  );
  if (satisfied) {
    return undefined;
  }
  const requiredSids = new Set(required.map(s => s.Sid));
  return {
    Version: '2012-10-17',
    Statement: [...current.filter(s => !requiredSids.has(s.Sid)), ...required],
  };
}

/** The read-only decision: which changes bring the bucket to the desired state. */
export function planStateBucket(
  s3: S3Client,
  state: StateBucketState,
  desired: DesiredStateBucket,
): PlannedChange[] {
  const Bucket = desired.bucketName;
  const name = `bucket "${Bucket}"`;
  if (state.exists && state.region && state.region !== desired.region) {
    throw new ConflictError(
      `S3 bucket "${Bucket}" exists in ${state.region}, not in the requested region ${desired.region}. ` +
        `Set region to ${state.region} or choose another bucketName.`,
    );
  }
  const changes: PlannedChange[] = [];
  if (!state.exists) {
    changes.push({
      kind: 'create',
      subject: `${name} in ${desired.region}`,
      apply: () => createBucket(s3, desired).then(() => undefined),
    });
  }
  if (state.versioning !== 'Enabled') {
    changes.push({
      kind: 'converge',
      subject: `versioning of ${name}`,
      from: state.versioning,
      to: 'Enabled',
      apply: () =>
        s3
          .send(
            new PutBucketVersioningCommand({
              Bucket,
              VersioningConfiguration: { Status: 'Enabled' },
            }),
          )
          .then(() => undefined),
    });
  }
  if (!encryptionMatches(state, desired)) {
    const sse: ServerSideEncryptionByDefault =
      desired.encryption === 'AES256'
        ? { SSEAlgorithm: 'AES256' }
        : { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: desired.kmsKeyId };
    changes.push({
      kind: 'converge',
      subject: `default encryption of ${name}`,
      from: describeEncryption(state.encryption),
      to: describeEncryption(sse),
      apply: () =>
        s3
          .send(
            new PutBucketEncryptionCommand({
              Bucket,
              ServerSideEncryptionConfiguration: {
                Rules: [
                  {
                    ApplyServerSideEncryptionByDefault: sse,
                    BucketKeyEnabled: desired.encryption === 'KMS',
                  },
                ],
              },
            }),
          )
          .then(() => undefined),
    });
  }
  const looseFlags = PUBLIC_ACCESS_FLAGS.filter(
    flag => state.publicAccessBlock?.[flag] !== true,
  );
  if (looseFlags.length > 0) {
    changes.push({
      kind: 'converge',
      subject: `public access block of ${name}`,
      from: `${looseFlags.join(', ')} off`,
      to: 'all four flags on',
      apply: () =>
        s3
          .send(
            new PutPublicAccessBlockCommand({
              Bucket,
              PublicAccessBlockConfiguration: Object.fromEntries(
                PUBLIC_ACCESS_FLAGS.map(f => [f, true]),
              ),
            }),
          )
          .then(() => undefined),
    });
  }
  if (state.objectOwnership !== 'BucketOwnerEnforced') {
    changes.push({
      kind: 'converge',
      subject: `object ownership of ${name}`,
      from: state.objectOwnership,
      to: 'BucketOwnerEnforced',
      apply: () =>
        s3
          .send(
            new PutBucketOwnershipControlsCommand({
              Bucket,
              OwnershipControls: {
                Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
              },
            }),
          )
          .then(() => undefined),
    });
  }
  const policy = mergedPolicy(state, desired);
  if (policy) {
    changes.push({
      kind: 'converge',
      subject: `bucket policy of ${name}`,
      from: state.policy ? 'TLS statements missing or changed' : undefined,
      to: 'deny non-TLS and TLS < 1.2',
      apply: () =>
        s3
          .send(
            new PutBucketPolicyCommand({
              Bucket,
              Policy: JSON.stringify(policy),
            }),
          )
          .then(() => undefined),
    });
  }
  const tagsToSet = missingTags(state.tags, desired.tags);
  if (Object.keys(tagsToSet).length > 0) {
    const tagSet = { ...state.tags, ...desired.tags };
    changes.push({
      kind: 'converge',
      subject: `tags of ${name}`,
      from: Object.keys(state.tags).length ? 'missing or different' : undefined,
      to: Object.keys(tagsToSet).sort().join(', '),
      apply: () =>
        s3
          .send(
            new PutBucketTaggingCommand({
              Bucket,
              Tagging: {
                TagSet: toTagList(tagSet),
              },
            }),
          )
          .then(() => undefined),
    });
  }
  return changes;
}

async function createBucket(
  s3: S3Client,
  desired: DesiredStateBucket,
): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: desired.bucketName,
        ObjectOwnership: 'BucketOwnerEnforced',
        // us-east-1 is the one region that rejects an explicit LocationConstraint.
        CreateBucketConfiguration:
          desired.region === 'us-east-1'
            ? undefined
            : { LocationConstraint: desired.region as any },
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'BucketAlreadyOwnedByYou')) {
      return;
    }
    if (isAwsError(error, 'BucketAlreadyExists')) {
      throw new ConflictError(
        `S3 bucket "${desired.bucketName}" already exists in another AWS account (bucket names are global). ` +
          `Choose another bucketName.`,
      );
    }
    throw error;
  }
}
