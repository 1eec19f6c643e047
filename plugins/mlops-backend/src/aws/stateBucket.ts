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
  ListObjectsV2Command,
  PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  ServerSideEncryptionByDefault,
  waitUntilBucketExists,
} from '@aws-sdk/client-s3';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { awsHttpStatus, isAwsError } from './awsErrors';
import { MANAGED_BY_TAG } from './managedTags';
import {
  canonicalJson,
  fromTagList,
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
  /** Whether the bucket holds any object (false for a bucket not yet used). */
  holdsObjects?: boolean;
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

/** The public access block flags that are not on. */
function loosePublicAccessFlags(state: StateBucketState): string[] {
  return PUBLIC_ACCESS_FLAGS.filter(
    flag => state.publicAccessBlock?.[flag] !== true,
  );
}

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
    objects,
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
    s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 })),
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
    holdsObjects: (objects.KeyCount ?? 0) > 0,
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

const [[MANAGED_BY_KEY, MANAGED_BY_VALUE]] = Object.entries(MANAGED_BY_TAG);

/**
 * Whether the action may change an existing bucket: one it tagged, or one
 * that holds nothing yet (such as its own create, interrupted before the
 * tags; S3 cannot tag a bucket as it creates it). Any other bucket may be
 * shared, and changing its encryption, ownership or tags would change them
 * for everyone who uses it.
 */
function mayConverge(state: StateBucketState): boolean {
  return state.tags[MANAGED_BY_KEY] === MANAGED_BY_VALUE || !state.holdsObjects;
}

/** What makes an existing bucket unfit for Terraform state. */
function stateBucketProblems(state: StateBucketState): string[] {
  const problems: string[] = [];
  if (state.versioning !== 'Enabled') {
    problems.push(
      `versioning is ${
        state.versioning ?? 'off'
      } (a state overwritten by mistake could not be recovered)`,
    );
  }
  if (!state.encryption?.SSEAlgorithm) {
    problems.push('it has no default encryption');
  }
  const looseFlags = loosePublicAccessFlags(state);
  if (looseFlags.length > 0) {
    problems.push(`its public access block has ${looseFlags.join(', ')} off`);
  }
  return problems;
}

function deniesByCondition(
  policy: PolicyDocument | undefined,
  operator: string,
  key: string,
): boolean {
  return (policy?.Statement ?? []).some(statement => {
    const conditions = statement.Condition as
      | Record<string, Record<string, unknown>>
      | undefined;
    return (
      statement.Effect === 'Deny' && conditions?.[operator]?.[key] !== undefined
    );
  });
}

/** What the action would have hardened on a bucket it leaves alone. */
function unmanagedBucketNotes(state: StateBucketState, name: string): string[] {
  const notes: string[] = [];
  if (
    !deniesByCondition(state.policy, 'Bool', 'aws:SecureTransport') ||
    !deniesByCondition(state.policy, 'NumericLessThan', 's3:TlsVersion')
  ) {
    notes.push(
      `${name}'s policy does not deny requests without TLS or with TLS below 1.2; ` +
        `the action adds such statements only to buckets it manages`,
    );
  }
  if (state.objectOwnership !== 'BucketOwnerEnforced') {
    notes.push(
      `${name} has ACLs enabled (object ownership ${
        state.objectOwnership ?? 'not set'
      }); the action disables them only on buckets it manages`,
    );
  }
  return notes;
}

/**
 * An existing bucket the action did not make and that is in use is left as
 * it is: reused when it can hold state safely, refused otherwise, naming
 * what to fix. What it lacks beyond that is told to `warn`.
 */
function checkUnmanagedBucket(
  state: StateBucketState,
  bucketName: string,
  warn: (message: string) => void,
): void {
  const name = `S3 bucket "${bucketName}"`;
  const problems = stateBucketProblems(state);
  if (problems.length > 0) {
    const tag = `${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`;
    throw new ConflictError(
      `${name} already exists, holds objects and is not tagged ${tag}, so this action changes ` +
        `nothing on it (others may use it). It cannot hold Terraform state as it is: ${problems.join(
          '; ',
        )}. Fix that on the bucket, tag it ${tag} to let this action harden it, or leave ` +
        `bucketName empty for a bucket of the service's own. Nothing was changed.`,
    );
  }
  unmanagedBucketNotes(state, name).forEach(warn);
}

/**
 * The read-only decision: which changes bring the bucket to the desired
 * state. An existing bucket in use that the action did not make is not
 * changed: it is refused, before anything is, when it cannot hold state
 * safely, and what it lacks beyond that goes to `warn`.
 */
export function planStateBucket(
  s3: S3Client,
  state: StateBucketState,
  desired: DesiredStateBucket,
  warn: (message: string) => void = () => {},
): PlannedChange[] {
  const Bucket = desired.bucketName;
  const name = `bucket "${Bucket}"`;
  if (state.exists && state.region && state.region !== desired.region) {
    throw new ConflictError(
      `S3 bucket "${Bucket}" exists in ${state.region}, not in the requested region ${desired.region}. ` +
        `Set region to ${state.region} or choose another bucketName.`,
    );
  }
  if (state.exists && !mayConverge(state)) {
    checkUnmanagedBucket(state, Bucket, warn);
    return [];
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
  const looseFlags = loosePublicAccessFlags(state);
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
  // Tags already set keep their values: a bucket several services share
  // keeps the tags of the one that made it.
  const tagsToSet = Object.fromEntries(
    Object.entries(desired.tags).filter(([key]) => !(key in state.tags)),
  );
  if (Object.keys(tagsToSet).length > 0) {
    const tagSet = { ...tagsToSet, ...state.tags };
    changes.push({
      kind: 'converge',
      subject: `tags of ${name}`,
      from: Object.keys(state.tags).length ? 'missing' : undefined,
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
    // S3 is eventually consistent: the settings applied next can be refused
    // with NoSuchBucket until the new bucket is visible.
    await waitUntilBucketExists(
      { client: s3, maxWaitTime: 120, minDelay: 1, maxDelay: 5 },
      { Bucket: desired.bucketName },
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
