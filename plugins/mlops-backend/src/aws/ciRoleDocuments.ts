/**
 * The issuer of a GitHub instance's Actions OIDC tokens (their `iss` without
 * `https://`), as IAM names it: the provider's ARN ends in
 * `oidc-provider/<issuer>` and the trust policy's condition keys are
 * `<issuer>:aud` and `<issuer>:sub`, a path included. github.com issues from
 * token.actions.githubusercontent.com, or from
 * token.actions.githubusercontent.com/<enterprise slug> for an enterprise
 * that turned on its unique issuer URL (`include_enterprise_slug`); an
 * enterprise on GHE.com from token.actions.<subdomain>.ghe.com, GitHub
 * Enterprise Server from <host>/_services/token. `githubHost` has passed
 * `checkGithubHost`.
 */
export function githubOidcIssuer(
  githubHost: string,
  enterpriseSlug?: string,
): string {
  const host = githubHost.toLowerCase();
  if (host === 'github.com') {
    const issuer = 'token.actions.githubusercontent.com';
    return enterpriseSlug ? `${issuer}/${enterpriseSlug}` : issuer;
  }
  if (host.endsWith('.ghe.com')) {
    return `token.actions.${host}`;
  }
  return `${host}/_services/token`;
}

/** The account's IAM OIDC provider for one GitHub instance's Actions tokens. */
export interface GithubOidcProvider {
  arn: string;
  /** {@link githubOidcIssuer}. */
  issuer: string;
}
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
  provider: GithubOidcProvider,
  subjects: string[],
): PolicyDocument {
  return policy([
    {
      Sid: 'GithubActionsOidc',
      Effect: 'Allow',
      Principal: { Federated: provider.arn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${provider.issuer}:aud`]: STS_AUDIENCE,
          [`${provider.issuer}:sub`]:
            subjects.length === 1 ? subjects[0] : subjects,
        },
      },
    },
  ]);
}

/** The `sub` values a trust policy names, whatever the operator and the issuer: for plan lines. */
export function trustedSubjects(document: unknown): string[] {
  const statements = (document as Partial<PolicyDocument> | undefined)
    ?.Statement;
  const subjects = (Array.isArray(statements) ? statements : []).flatMap(
    statement =>
      Object.values(
        (statement.Condition ?? {}) as Record<string, Record<string, unknown>>,
      ).flatMap(operator =>
        Object.entries(operator ?? {})
          .filter(([key]) => key.endsWith(':sub'))
          .flatMap(([, value]) => value),
      ),
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
 * policy (ReadOnlyAccess) allows account-wide: contents, secrets and the
 * configuration fields that carry them (user data, environment variables).
 * The plan role runs a pull request's code, so none of them is allowed outside
 * the state. Refreshing what the generated Terraform roots manage (VPC, EKS,
 * ECR, IAM, KMS, S3 buckets, log groups) calls none of them.
 *
 * Each name is an action of AWS's Service Authorization Reference that
 * ReadOnlyAccess grants (secretsmanager:GetSecretValue aside, which it does
 * not: for plan policies that do); a misspelt action in a Deny denies nothing.
 * The list is not exhaustive, and ReadOnlyAccess still allows data reads that
 * planning needs: ec2:DescribeLaunchTemplateVersions returns every launch
 * template's user data (the node group's aws_launch_template is read with it,
 * and the action takes no resource-level permission), and s3:ListBucket lists
 * any bucket's object keys (aws_s3_bucket is read with HeadBucket, which
 * needs it). A platform that wants less sets mlops.github.planRolePolicies to
 * a narrower policy than ReadOnlyAccess.
 */
const DATA_READ_ACTIONS = [
  // Objects, items, records and messages.
  's3:GetObject',
  's3:GetObjectVersion',
  // Checksums and torrents, which identify or carry an object's content.
  's3:GetObjectAttributes',
  's3:GetObjectVersionAttributes',
  's3:GetObjectTorrent',
  's3:GetObjectVersionTorrent',
  's3:GetDataAccess',
  's3-object-lambda:GetObject',
  's3-object-lambda:GetObjectVersion',
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:PartiQLSelect',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dax:BatchGetItem',
  'dax:GetItem',
  'dax:Query',
  'dax:Scan',
  'cassandra:Select',
  'sdb:GetAttributes',
  'sdb:Select',
  'qldb:GetBlock',
  'qldb:GetRevision',
  'es:ESHttpGet',
  'kendra:Query',
  'healthlake:ReadResource',
  'healthlake:SearchWithGet',
  'healthlake:SearchWithPost',
  'mediastore:GetObject',
  'iot:GetRetainedMessage',
  'kinesis:GetRecords',
  'kinesisvideo:GetClip',
  'kinesisvideo:GetImages',
  'kinesisvideo:GetMedia',
  'kinesisvideo:GetMediaForFragmentList',
  'sqs:ReceiveMessage',
  'states:DescribeExecution',
  'states:GetExecutionHistory',
  // Logs, query results, command output and captured requests.
  'logs:FilterLogEvents',
  'logs:GetLogEvents',
  'logs:GetLogRecord',
  'logs:GetQueryResults',
  'logs:StartLiveTail',
  'logs:StartQuery',
  'athena:GetQueryResults',
  'athena:GetQueryResultsStream',
  'cloudtrail:GetQueryResults',
  'cloudtrail:LookupEvents',
  'rds:DownloadCompleteDBLogFile',
  'rds:DownloadDBLogFilePortion',
  'ssm:GetCommandInvocation',
  'ssm:ListCommandInvocations',
  'codebuild:BatchGetBuilds',
  'support:DescribeAttachment',
  'support:DescribeCommunications',
  'waf:GetSampledRequests',
  'waf-regional:GetSampledRequests',
  'wafv2:GetSampledRequests',
  // Source code, packages and images.
  'codecommit:DescribeMergeConflicts',
  'codecommit:GetBlob',
  'codecommit:GetComment',
  'codecommit:GetCommentsForComparedCommit',
  'codecommit:GetCommentsForPullRequest',
  'codecommit:GetFile',
  'codecommit:GetFolder',
  'codecommit:GitPull',
  'codeartifact:GetPackageVersionAsset',
  'codeartifact:ReadFromRepository',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'lambda:GetFunction',
  'lambda:GetLayerVersion',
  // Instance user data, console output and screenshots, and passwords.
  'ec2:DescribeInstanceAttribute',
  'ec2:DescribeSpotFleetRequests',
  'ec2:DescribeSpotInstanceRequests',
  'ec2:GetConsoleOutput',
  'ec2:GetConsoleScreenshot',
  'ec2:GetLaunchTemplateData',
  'ec2:GetPasswordData',
  'autoscaling:DescribeLaunchConfigurations',
  // Environment variables of functions, tasks, jobs, builds and applications.
  'lambda:GetFunctionConfiguration',
  'ecs:DescribeTaskDefinition',
  'ecs:DescribeTasks',
  'batch:DescribeJobDefinitions',
  'batch:DescribeJobs',
  'codebuild:BatchGetProjects',
  'elasticbeanstalk:DescribeConfigurationSettings',
  'apprunner:DescribeService',
  'amplify:GetApp',
  'amplify:GetBranch',
  // Secrets, keys, tokens and users.
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameterHistory',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'cognito-idp:AdminGetUser',
  'cognito-idp:DescribeUserPoolClient',
  'cognito-idp:ListUsers',
  'cognito-idp:ListUsersInGroup',
  'cognito-identity:GetOpenIdTokenForDeveloperIdentity',
  'appsync:ListApiKeys',
  'codeartifact:GetAuthorizationToken',
  'connect:GetFederationToken',
  'gamelift:GetInstanceAccess',
  'snowball:GetJobUnlockCode',
  'storagegateway:DescribeChapCredentials',
];

/**
 * API Gateway's reads are all `apigateway:GET`, so its API keys' values are
 * denied by their resources: the keys (`includeValues`) and usage plans' keys.
 */
function apiKeyResources(partition: string): string[] {
  const api = `arn:${partition}:apigateway:*::`;
  return [
    `${api}/apikeys`,
    `${api}/apikeys/*`,
    `${api}/usageplans/*/keys`,
    `${api}/usageplans/*/keys/*`,
  ];
}

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
 * `-lock=false`; and none of the data reads of {@link DATA_READ_ACTIONS}
 * (objects, items, parameters, secrets, logs, source, images, user data,
 * environment variables) nor API key values anywhere else. The explicit denies
 * hold even if the platform's plan policies grant more; what ReadOnlyAccess
 * allows besides them, launch templates' user data included, stays allowed.
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
    {
      Sid: 'NoApiKeyValues',
      Effect: 'Deny',
      Action: 'apigateway:GET',
      Resource: apiKeyResources(scope.partition),
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
