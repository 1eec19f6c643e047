/** The issuer of GitHub Actions' OIDC tokens, as IAM names it in condition keys. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials asks for. */
export const STS_AUDIENCE = 'sts.amazonaws.com';

export type PolicyStatement = Record<string, unknown>;

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** Where Terraform keeps state, as the state policies need it. */
export interface StateLocation {
  bucket: string;
  keyPrefix: string;
  region: string;
  lockTable?: string;
}

/** The ARNs a policy is written for. */
export interface PolicyScope {
  partition: string;
  accountId: string;
}

function policy(statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The subject prefix of roles made before their repository exists. GitHub's
 * subjects are `<claim>:<value>` pairs of its own claim names, so no token
 * ever carries it: such a role trusts no workflow until it is given the
 * repository's real prefix.
 */
export const UNPUBLISHED_SUBJECT_PREFIX = 'unpublished';

/**
 * The subject of jobs in one GitHub environment; `subjectPrefix` is
 * `repo:OWNER/REPO` or, with immutable subject claims, `repo:OWNER@ID/REPO@ID`.
 */
export function environmentSubject(
  subjectPrefix: string,
  environment: string,
): string {
  return `${subjectPrefix}:environment:${environment}`;
}

/** Pull requests of the repository, and pushes to its default branch. */
export function planSubjects(subjectPrefix: string, branch: string): string[] {
  return [
    `${subjectPrefix}:pull_request`,
    `${subjectPrefix}:ref:refs/heads/${branch}`,
  ];
}

/**
 * Trust for GitHub Actions' OIDC tokens of exactly these subjects, with
 * StringEquals so that no wildcard can widen it.
 */
export function githubTrustPolicy(
  providerArn: string,
  subjects: string[],
): PolicyDocument {
  return policy([
    {
      Sid: 'GithubActionsOidc',
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]:
            subjects.length === 1 ? subjects[0] : subjects,
        },
      },
    },
  ]);
}

/** The `sub` values a trust policy names, whatever the operator: for plan lines. */
export function trustedSubjects(document: unknown): string[] {
  const statements = (document as Partial<PolicyDocument> | undefined)
    ?.Statement;
  const subjects = (Array.isArray(statements) ? statements : []).flatMap(
    statement =>
      Object.values(
        (statement.Condition ?? {}) as Record<string, Record<string, unknown>>,
      ).flatMap(operator => operator[`${GITHUB_OIDC_HOST}:sub`] ?? []),
  );
  return [...new Set(subjects.flat().map(String))].sort();
}

function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

function s3Host(partition: string, region: string): string {
  return `s3.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}`;
}

function stateEncryption(
  actions: string[],
  scope: PolicyScope,
  state: StateLocation,
  objects: string,
): PolicyStatement {
  return {
    Sid: 'StateEncryption',
    Effect: 'Allow',
    Action: actions,
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:ViaService': s3Host(scope.partition, state.region) },
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': [
          bucketArn(scope.partition, state.bucket),
          objects,
        ],
      },
    },
  };
}

function lockTableArn(scope: PolicyScope, state: StateLocation): string {
  return `arn:${scope.partition}:dynamodb:${state.region}:${scope.accountId}:table/${state.lockTable}`;
}

/**
 * Reads of data rather than of configuration that the plan role's default
 * policy (ReadOnlyAccess) allows account-wide. The plan role runs a pull
 * request's code, so none of them is allowed outside the state; planning the
 * generated Terraform roots needs none of them.
 */
const DATA_READ_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:PartiQLSelect',
  'dynamodb:Query',
  'dynamodb:Scan',
  'ec2:GetPasswordData',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'kinesis:GetRecords',
  'logs:FilterLogEvents',
  'logs:GetLogEvents',
  'logs:GetQueryResults',
  'logs:StartLiveTail',
  'logs:StartQuery',
  'secretsmanager:GetSecretValue',
  'sqs:ReceiveMessage',
  'ssm:GetParameter',
  'ssm:GetParameterHistory',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
];

function lockTableStatement(
  actions: string[],
  scope: PolicyScope,
  state: StateLocation,
  prefix: string,
): PolicyStatement[] {
  if (!state.lockTable) {
    return [];
  }
  return [
    {
      Sid: 'LegacyStateLockTable',
      Effect: 'Allow',
      Action: actions,
      Resource: lockTableArn(scope, state),
      Condition: {
        // Terraform's lock items are keyed "<bucket>/<key>" and "<bucket>/<key>-md5".
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [`${state.bucket}/${prefix}/*`],
        },
      },
    },
  ];
}

/** Read and write one environment's state and lockfile, nothing else in the bucket. */
export function terraformStatePolicy(
  scope: PolicyScope,
  state: StateLocation,
  environment: string,
): PolicyDocument {
  const prefix = `${state.keyPrefix}/${environment}`;
  const bucket = bucketArn(scope.partition, state.bucket);
  const objects = `${bucket}/${prefix}/*`;
  return policy([
    {
      Sid: 'ListState',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucket,
      Condition: { StringLike: { 's3:prefix': [`${prefix}/*`] } },
    },
    {
      Sid: 'ReadWriteState',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: objects,
    },
    {
      Sid: 'ReleaseStateLock',
      Effect: 'Allow',
      Action: 's3:DeleteObject',
      Resource: `${objects}.tflock`,
    },
    stateEncryption(
      ['kms:Decrypt', 'kms:GenerateDataKey'],
      scope,
      state,
      objects,
    ),
    ...lockTableStatement(
      [
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
      ],
      scope,
      state,
      prefix,
    ),
  ]);
}

/**
 * Read every environment's state, never write it: the plan role plans with
 * `-lock=false`; and read no data (objects, items, parameters, secrets, logs,
 * images) anywhere else. The explicit denies hold even if the platform's plan
 * policies grant more.
 */
export function planStatePolicy(
  scope: PolicyScope,
  state: StateLocation,
): PolicyDocument {
  const bucket = bucketArn(scope.partition, state.bucket);
  const objects = `${bucket}/${state.keyPrefix}/*`;
  return policy([
    {
      Sid: 'ListState',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucket,
      Condition: { StringLike: { 's3:prefix': [`${state.keyPrefix}/*`] } },
    },
    {
      Sid: 'ReadState',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: objects,
    },
    stateEncryption(['kms:Decrypt'], scope, state, objects),
    {
      Sid: 'NeverWriteState',
      Effect: 'Deny',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: objects,
    },
    {
      Sid: 'NoDataReadsOutsideState',
      Effect: 'Deny',
      Action: DATA_READ_ACTIONS,
      NotResource: state.lockTable
        ? [objects, lockTableArn(scope, state)]
        : [objects],
    },
    // With a legacy lock table Terraform checks the state digest even when not locking.
    ...lockTableStatement(['dynamodb:GetItem'], scope, state, state.keyPrefix),
  ]);
}

/**
 * The keys the training role may read: the dataset object's folder, or the
 * object alone when it sits at the bucket's root.
 */
export function datasetKeyPattern(datasetKey: string): string {
  const slash = datasetKey.lastIndexOf('/');
  return slash < 0 ? datasetKey : `${datasetKey.slice(0, slash)}/*`;
}

/** Read the training dataset's folder, nothing else. */
export function trainingDataPolicy(
  scope: PolicyScope,
  dataset: { bucket: string; key: string },
): PolicyDocument {
  const bucket = bucketArn(scope.partition, dataset.bucket);
  const keys = datasetKeyPattern(dataset.key);
  return policy([
    {
      Sid: 'ListDataset',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucket,
      Condition: { StringLike: { 's3:prefix': [keys] } },
    },
    {
      Sid: 'ReadDataset',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `${bucket}/${keys}`,
    },
    {
      Sid: 'DatasetEncryption',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        // The dataset bucket's region is not known here.
        StringLike: {
          'kms:ViaService': s3Host(scope.partition, '*'),
          'kms:EncryptionContext:aws:s3:arn': [bucket, `${bucket}/${keys}`],
        },
      },
    },
  ]);
}
