import { planStatePolicy } from './ciRoleDocuments';

describe('planStatePolicy', () => {
  const scope = { partition: 'aws', accountId: '123456789012' };
  const state = {
    bucket: 'acme-tfstate',
    keyPrefix: 'churn',
    region: 'eu-west-1',
  };
  const statement = (
    document: ReturnType<typeof planStatePolicy>,
    sid: string,
  ) => document.Statement.find(s => s.Sid === sid);
  const deniedActions = () =>
    statement(planStatePolicy(scope, state), 'NoDataReadsOutsideState')
      ?.Action as string[];

  it('denies data reads everywhere but the state', () => {
    const guard = statement(
      planStatePolicy(scope, state),
      'NoDataReadsOutsideState',
    );

    expect(guard).toMatchObject({
      Effect: 'Deny',
      NotResource: ['arn:aws:s3:::acme-tfstate/churn/*'],
    });
    expect(guard?.Resource).toBeUndefined();
  });

  it('leaves the legacy lock table readable, as Terraform checks its digest when planning', () => {
    const document = planStatePolicy(scope, {
      ...state,
      lockTable: 'terraform-locks',
    });
    const table =
      'arn:aws:dynamodb:eu-west-1:123456789012:table/terraform-locks';

    expect(statement(document, 'NoDataReadsOutsideState')?.NotResource).toEqual(
      ['arn:aws:s3:::acme-tfstate/churn/*', table],
    );
    expect(statement(document, 'LegacyStateLockTable')).toMatchObject({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem'],
      Resource: table,
    });
  });

  it('denies the data reads ReadOnlyAccess allows beyond objects and items', () => {
    expect(deniedActions()).toEqual(
      expect.arrayContaining([
        // Function code and environment variables.
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        // Instance user data, console output and screenshots.
        'ec2:DescribeInstanceAttribute',
        'ec2:GetLaunchTemplateData',
        'ec2:GetConsoleOutput',
        'ec2:GetConsoleScreenshot',
        'autoscaling:DescribeLaunchConfigurations',
        // Environment variables of task definitions and build projects.
        'ecs:DescribeTaskDefinition',
        'codebuild:BatchGetProjects',
        // Client secrets, query results, source, command output, database logs.
        'cognito-idp:DescribeUserPoolClient',
        'athena:GetQueryResults',
        'athena:GetQueryResultsStream',
        'codecommit:GitPull',
        'codecommit:GetFile',
        'codecommit:GetBlob',
        'ssm:GetCommandInvocation',
        'rds:DownloadDBLogFilePortion',
        'rds:DownloadCompleteDBLogFile',
        // Object content by other means than GetObject.
        's3:GetObjectAttributes',
        's3-object-lambda:GetObject',
        // What it denied before.
        's3:GetObject',
        'dynamodb:GetItem',
        'ssm:GetParameter',
        'secretsmanager:GetSecretValue',
        'logs:GetLogEvents',
        'ecr:BatchGetImage',
      ]),
    );
  });

  it('names each action once, as <service>:<Action>', () => {
    const actions = deniedActions();

    expect(
      actions.filter(action => !/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/.test(action)),
    ).toEqual([]);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('leaves allowed what refreshing the generated Terraform roots reads, launch template user data included', () => {
    // What hashicorp/aws reads to plan the roots' resources and data sources (VPC, EKS and its
    // compute, ECR, IAM, KMS, S3 buckets, log groups). ec2:DescribeLaunchTemplateVersions returns a
    // launch template's user data, and takes no resource-level permission: the node group's
    // aws_launch_template cannot be planned without it, so ReadOnlyAccess's grant of it stays.
    const planReads = [
      'ec2:DescribeAddresses',
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeFlowLogs',
      'ec2:DescribeInternetGateways',
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeNatGateways',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcAttribute',
      'ec2:DescribeVpcs',
      'ecr:DescribeImages',
      'ecr:DescribeRepositories',
      'ecr:GetLifecyclePolicy',
      'ecr:ListTagsForResource',
      'eks:DescribeAccessEntry',
      'eks:DescribeAddon',
      'eks:DescribeAddonVersions',
      'eks:DescribeCluster',
      'eks:DescribeFargateProfile',
      'eks:DescribeNodegroup',
      'eks:DescribePodIdentityAssociation',
      'eks:ListAssociatedAccessPolicies',
      'iam:GetOpenIDConnectProvider',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListOpenIDConnectProviders',
      'iam:ListRolePolicies',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:ListAliases',
      'kms:ListResourceTags',
      'logs:DescribeLogGroups',
      'logs:ListTagsForResource',
      's3:GetBucketOwnershipControls',
      's3:GetBucketPolicy',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketTagging',
      's3:GetBucketVersioning',
      's3:GetEncryptionConfiguration',
      's3:GetLifecycleConfiguration',
      's3:ListBucket',
    ];
    const denied = planStatePolicy(scope, state)
      .Statement.filter(s => s.Effect === 'Deny')
      .flatMap(s => [s.Action as string | string[]].flat());

    expect(planReads.filter(action => denied.includes(action))).toEqual([]);
  });

  it("denies API keys' values, which API Gateway serves to any apigateway:GET", () => {
    expect(
      statement(
        planStatePolicy(
          { partition: 'aws-cn', accountId: '123456789012' },
          state,
        ),
        'NoApiKeyValues',
      ),
    ).toEqual({
      Sid: 'NoApiKeyValues',
      Effect: 'Deny',
      Action: 'apigateway:GET',
      Resource: [
        'arn:aws-cn:apigateway:*::/apikeys',
        'arn:aws-cn:apigateway:*::/apikeys/*',
        'arn:aws-cn:apigateway:*::/usageplans/*/keys',
        'arn:aws-cn:apigateway:*::/usageplans/*/keys/*',
      ],
    });
  });

  it("fits IAM's 10,240 characters for a role's inline policies, with a legacy lock table", () => {
    const document = planStatePolicy(scope, {
      ...state,
      keyPrefix: 'a-long-service-name-for-the-state-key-prefix',
      lockTable: 'terraform-locks-of-the-platform-team',
    });

    // IAM does not count whitespace; JSON.stringify writes none.
    expect(JSON.stringify(document).length).toBeLessThan(10_240);
  });
});
