import path from 'node:path';

/** The valid values every refused value below is a change against. */
// These tools run from source through yarn scripts and are never bundled, so __dirname is stable.
export const VALID_VALUES_FILE = path.resolve(
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../examples/values/classification-new-eu.yaml',
);

/**
 * A value the template must refuse: what changes against a valid values file,
 * the field the error must name and what it must say.
 */
export type RefusedValue = [
  description: string,
  change: Record<string, unknown>,
  field: string,
  message: RegExp,
];

/** In a change: leave the field out. */
export const UNSET = undefined;

/** The valid values with a change applied (UNSET leaves a field out). */
export function withChange(
  valid: Record<string, unknown>,
  change: Record<string, unknown>,
): Record<string, unknown> {
  const values = { ...valid, ...change };
  for (const [key, value] of Object.entries(change)) {
    if (value === UNSET) {
      delete values[key];
    }
  }
  return values;
}

/** Role ARNs as a platform would give them for `ciRoles: existing`. */
export function existingRole(name: string, account = '123456789012'): string {
  return `arn:aws:iam::${account}:role/platform/${name}`;
}

/** `ciRoles: existing` with a plan role and a Terraform role for every environment. */
export const EXISTING_ROLES = {
  ciRoles: 'existing',
  existingPlanRoleArn: existingRole('ci-plan'),
  existingTerraformRoleArns: {
    dev: existingRole('dev-ci-terraform'),
    staging: existingRole('staging-ci-terraform'),
    prod: existingRole('prod-ci-terraform'),
  },
};

/**
 * Each refused by the template's own parameter schema, so by the form, by
 * `ml-service:render` and by the scaffolder REST API alike.
 */
export const REFUSED_BY_SCHEMA: RefusedValue[] = [
  [
    'name with uppercase',
    { name: 'Churn-Model' },
    'name',
    /does not match pattern/,
  ],
  [
    'name too short',
    { name: 'ab' },
    'name',
    /does not meet minimum length of 3/,
  ],
  [
    'name too long',
    { name: `a${'b'.repeat(40)}` },
    'name',
    /does not meet maximum length of 40/,
  ],
  [
    'name ending in a hyphen',
    { name: 'churn-' },
    'name',
    /does not match pattern/,
  ],
  ['missing owner', { owner: UNSET }, 'owner', /requires property "owner"/],
  [
    'unknown problem type',
    { problemType: 'clustering' },
    'problemType',
    /is not one of enum values/,
  ],
  [
    'S3 dataset without a URI',
    { datasetSource: 's3' },
    'datasetUri',
    /requires property "datasetUri"/,
  ],
  [
    'dataset URI that is not S3',
    { datasetSource: 's3', datasetUri: 'https://x/y.csv' },
    'datasetUri',
    /does not match pattern/,
  ],
  [
    'dataset URI whose key would run in a workflow shell or break Terraform',
    { datasetSource: 's3', datasetUri: 's3://acme-data/$(id)/"${x}".csv' },
    'datasetUri',
    /does not match pattern/,
  ],
  [
    'quality threshold above 1',
    { qualityThreshold: 1.5 },
    'qualityThreshold',
    /must be less than or equal to 1/,
  ],
  [
    'account ID of 11 digits',
    { awsAccountId: '12345678901' },
    'awsAccountId',
    /does not match pattern/,
  ],
  [
    'unsupported region',
    { awsRegion: 'mars-north-1' },
    'awsRegion',
    /is not one of enum values/,
  ],
  [
    'no environments',
    { environments: [] },
    'environments',
    /does not meet minimum length of 1/,
  ],
  [
    'unknown environment',
    { environments: ['dev', 'qa'] },
    'environments[1]',
    /is not one of enum values/,
  ],
  [
    'duplicate environments',
    { environments: ['dev', 'dev'] },
    'environments',
    /contains duplicate item/,
  ],
  [
    'existing cluster without its name',
    { clusterMode: 'existing', existingClusterName: UNSET },
    'existingClusterName',
    /requires property "existingClusterName"/,
  ],
  [
    'unknown compute mode of a new cluster',
    { clusterMode: 'new', computeMode: 'ec2' },
    'computeMode',
    /is not one of enum values: auto,nodegroup,fargate/,
  ],
  [
    'unsupported Kubernetes version',
    { kubernetesVersion: '1.20' },
    'kubernetesVersion',
    /is not one of enum values/,
  ],
  [
    'instance type with an unknown size',
    { nodeInstanceTypes: ['m1.tiny'] },
    'nodeInstanceTypes[0]',
    /does not match pattern/,
  ],
  [
    'instance type without a size',
    { nodeInstanceTypes: ['t3.medium', 't3'] },
    'nodeInstanceTypes[1]',
    /does not match pattern/,
  ],
  [
    'Graviton instance type (the image is linux/amd64 only)',
    { nodeInstanceTypes: ['m6i.large', 'm7g.large'] },
    'nodeInstanceTypes[1]',
    /does not match pattern/,
  ],
  [
    'first-generation Graviton instance type',
    { nodeInstanceTypes: ['a1.large'] },
    'nodeInstanceTypes[0]',
    /does not match pattern/,
  ],
  [
    'instance type in uppercase',
    { nodeInstanceTypes: ['T3.MEDIUM'] },
    'nodeInstanceTypes[0]',
    /does not match pattern/,
  ],
  [
    'zero nodes',
    { nodeMinSize: 0 },
    'nodeMinSize',
    /must be greater than or equal to 1/,
  ],
  [
    'namespace with underscore',
    { namespace: 'ml_services' },
    'namespace',
    /does not match pattern/,
  ],
  ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map(
    (namespace): RefusedValue => [
      `reserved namespace ${namespace}`,
      { namespace },
      'namespace',
      /does not match pattern/,
    ],
  ),
  [
    'CPU quantity in cores with a unit',
    { cpuRequest: '2cores' },
    'cpuRequest',
    /does not match pattern/,
  ],
  [
    'memory in bytes',
    { memoryRequest: '512' },
    'memoryRequest',
    /does not match pattern/,
  ],
  [
    'unknown visibility',
    { endpointVisibility: 'private' },
    'endpointVisibility',
    /is not one of enum values/,
  ],
  [
    'host with a scheme',
    { host: 'https://churn.example.com' },
    'host',
    /does not match pattern/,
  ],
  [
    'certificate that is not an ACM ARN',
    { certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' },
    'certificateArn',
    /does not match pattern/,
  ],
  ...[
    'main..evil',
    '-main',
    'main.lock',
    'release/v1.lock/x',
    'has space',
    'a~1',
    'a^1',
    'a:b',
    'what?',
    'a*',
    'a[b',
    'a\\b',
    'main@{1}',
    'a//b',
    'feature/',
    'main.',
    '.hidden',
    'a/.b',
    '@',
  ].map(
    (defaultBranch): RefusedValue => [
      `invalid git branch name ${JSON.stringify(defaultBranch)}`,
      { defaultBranch },
      'defaultBranch',
      /does not match pattern/,
    ],
  ),
  [
    'state bucket override with uppercase',
    { stateBucketName: 'My-State' },
    'stateBucketName',
    /does not match pattern/,
  ],
  [
    'ECR override with a double slash',
    { ecrRepositoryName: 'team//model' },
    'ecrRepositoryName',
    /does not match pattern/,
  ],
  [
    'repository with an empty owner',
    { repoUrl: 'github.com?owner=&repo=churn-model' },
    'repoUrl',
    /does not match pattern/,
  ],
  [
    'repository without an owner',
    { repoUrl: 'github.com?repo=churn-model' },
    'repoUrl',
    /does not match pattern/,
  ],
  [
    'repository on a host other than github.com',
    { repoUrl: 'gitlab.example.com?owner=acme&repo=churn-model' },
    'repoUrl',
    /does not match pattern/,
  ],
  [
    'repository on a look-alike host',
    { repoUrl: 'github.com.evil.example?owner=acme&repo=churn-model' },
    'repoUrl',
    /does not match pattern/,
  ],
  [
    'existing CI roles without the plan role',
    { ...EXISTING_ROLES, existingPlanRoleArn: UNSET },
    'existingPlanRoleArn',
    /requires property "existingPlanRoleArn"/,
  ],
  [
    'existing CI roles without Terraform roles',
    { ...EXISTING_ROLES, existingTerraformRoleArns: UNSET },
    'existingTerraformRoleArns',
    /requires property "existingTerraformRoleArns"/,
  ],
  [
    "existing CI roles without prod's Terraform role",
    {
      ...EXISTING_ROLES,
      existingTerraformRoleArns: {
        dev: existingRole('dev-ci-terraform'),
        staging: existingRole('staging-ci-terraform'),
      },
    },
    'existingTerraformRoleArns.prod',
    /requires property "prod"/,
  ],
  [
    'existing CI roles and an S3 dataset without the training role',
    {
      ...EXISTING_ROLES,
      datasetSource: 's3',
      datasetUri: 's3://acme-data/churn/train.csv',
    },
    'existingTrainingRoleArn',
    /requires property "existingTrainingRoleArn"/,
  ],
  [
    'Backstage role ARN of an IAM user',
    { backstageRoleArn: 'arn:aws:iam::123456789012:user/backstage' },
    'backstageRoleArn',
    /does not match pattern/,
  ],
  [
    'Backstage role ARN with an 11-digit account',
    { backstageRoleArn: 'arn:aws:iam::12345678901:role/backstage' },
    'backstageRoleArn',
    /does not match pattern/,
  ],
  [
    'Backstage role given as a bare role name',
    { backstageRoleArn: 'backstage' },
    'backstageRoleArn',
    /does not match pattern/,
  ],
  [
    'Backstage role ARN with a role name over 64 characters',
    { backstageRoleArn: `arn:aws:iam::123456789012:role/${'b'.repeat(65)}` },
    'backstageRoleArn',
    /does not match pattern/,
  ],
  [
    'plan role ARN of an IAM user',
    {
      ...EXISTING_ROLES,
      existingPlanRoleArn: 'arn:aws:iam::123456789012:user/ci',
    },
    'existingPlanRoleArn',
    /does not match pattern/,
  ],
  [
    'Terraform role ARN with an 11-digit account',
    {
      ...EXISTING_ROLES,
      existingTerraformRoleArns: {
        ...EXISTING_ROLES.existingTerraformRoleArns,
        dev: 'arn:aws:iam::12345678901:role/dev-ci-terraform',
      },
    },
    'existingTerraformRoleArns.dev',
    /does not match pattern/,
  ],
  [
    'Terraform role for an environment the template does not know',
    {
      ...EXISTING_ROLES,
      existingTerraformRoleArns: {
        ...EXISTING_ROLES.existingTerraformRoleArns,
        qa: existingRole('qa-ci-terraform'),
      },
    },
    'existingTerraformRoleArns',
    /additional property "qa"/,
  ],
  [
    'unknown CI roles choice',
    { ciRoles: 'manual' },
    'ciRoles',
    /is not one of enum values/,
  ],
  [
    'unknown repository visibility',
    { repoVisibility: 'secret' },
    'repoVisibility',
    /is not one of enum values/,
  ],
  [
    'prod reviewer that is neither a user nor a group',
    { prodReviewers: ['component:default/churn-model'] },
    'prodReviewers[0]',
    /does not match pattern/,
  ],
  [
    'more prod reviewers than GitHub allows',
    {
      prodReviewers: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(
        name => `user:default/${name}`,
      ),
    },
    'prodReviewers',
    /does not meet maximum length of 6/,
  ],
  [
    'source range without a prefix length',
    { inboundCidrs: ['203.0.113.10'], deployRunsOn: 'vpc-runner' },
    'inboundCidrs[0]',
    /does not match pattern/,
  ],
  [
    'source range with an octet over 255',
    {
      inboundCidrs: ['203.0.113.0/24', '203.0.256.0/24'],
      deployRunsOn: 'vpc-runner',
    },
    'inboundCidrs[1]',
    /does not match pattern/,
  ],
  [
    'IPv6 source range (the load balancer is IPv4)',
    { inboundCidrs: ['2001:db8::/32'], deployRunsOn: 'vpc-runner' },
    'inboundCidrs[0]',
    /does not match pattern/,
  ],
  [
    'the same source range twice',
    {
      inboundCidrs: ['203.0.113.0/24', '203.0.113.0/24'],
      deployRunsOn: 'vpc-runner',
    },
    'inboundCidrs',
    /contains duplicate item/,
  ],
  [
    "more source ranges than the load balancer's security group holds",
    {
      inboundCidrs: Array.from({ length: 21 }, (_, i) => `10.${i}.0.0/16`),
      deployRunsOn: 'vpc-runner',
    },
    'inboundCidrs',
    /does not meet maximum length of 20/,
  ],
  [
    'deploy runner label with a space',
    { deployRunsOn: 'self hosted' },
    'deployRunsOn',
    /does not match pattern/,
  ],
  [
    'description with a tab',
    { description: 'Predicts\tchurn' },
    'description',
    /does not match pattern/,
  ],
];

/**
 * Rules across two fields, which a JSON schema cannot state (the form and the
 * REST API check each field alone): refused by the template's first step
 * (`mlops:ml-service:validate`) before anything is created, and by
 * `ml-service:render` before it renders.
 */
export const REFUSED_ACROSS_FIELDS: RefusedValue[] = [
  [
    'max nodes below min',
    { nodeMinSize: 4, nodeMaxSize: 2 },
    'nodeMaxSize',
    /must be at least nodeMinSize/,
  ],
  [
    'min nodes above the default max',
    { nodeMinSize: 6, nodeMaxSize: UNSET },
    'nodeMaxSize',
    /must be at least nodeMinSize/,
  ],
  [
    'max replicas below min',
    { replicasMin: 5, replicasMax: 2 },
    'replicasMax',
    /must be at least replicasMin/,
  ],
  [
    'CPU limit below request',
    { cpuRequest: '2', cpuLimit: '500m' },
    'cpuLimit',
    /must be at least cpuRequest/,
  ],
  [
    'memory limit below request',
    { memoryRequest: '2Gi', memoryLimit: '512Mi' },
    'memoryLimit',
    /must be at least memoryRequest/,
  ],
  [
    "certificate in another region than the service's",
    {
      certificateArn:
        'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
    },
    'certificateArn',
    /must be a certificate in the service's region eu-west-1, not us-east-1/,
  ],
  [
    "certificate in another account than the service's",
    {
      certificateArn:
        'arn:aws:acm:eu-west-1:999999999999:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
    },
    'certificateArn',
    /must be a certificate in the service's account 123456789012, not 999999999999/,
  ],
  [
    "host whose first label leaves no room for the staging environment's prefix",
    { host: `${'a'.repeat(56)}.ml.example.com` },
    'host',
    /leaves the staging environment the name staging-a{56}\.ml\.example\.com, whose first label has 64 characters/,
  ],
  [
    'public certificate without a host',
    { host: UNSET },
    'host',
    /is required when a certificate is set/,
  ],
  [
    "existing Terraform role in another account than the service's",
    {
      ...EXISTING_ROLES,
      existingTerraformRoleArns: {
        ...EXISTING_ROLES.existingTerraformRoleArns,
        staging: existingRole('staging-ci-terraform', '999999999999'),
      },
    },
    'existingTerraformRoleArns.staging',
    /must be a role in the service's account 123456789012, not 999999999999/,
  ],
  [
    'source ranges for an internal endpoint',
    {
      endpointVisibility: 'internal',
      inboundCidrs: ['10.20.0.0/16'],
      deployRunsOn: 'vpc-runner',
    },
    'inboundCidrs',
    /apply to a public endpoint only/,
  ],
  [
    'source range whose host bits are set',
    { inboundCidrs: ['203.0.113.10/24'], deployRunsOn: 'vpc-runner' },
    'inboundCidrs',
    /has 203\.0\.113\.10\/24, whose host bits are set: write its network, 203\.0\.113\.0\/24/,
  ],
  [
    'source ranges with the default, GitHub-hosted deploy runner',
    { inboundCidrs: ['203.0.113.0/24'] },
    'deployRunsOn',
    /is a GitHub-hosted runner \(ubuntu-24\.04\), whose addresses are in no fixed range/,
  ],
  [
    "existing plan role in another account than the service's",
    {
      ...EXISTING_ROLES,
      existingPlanRoleArn: existingRole('ci-plan', '999999999999'),
    },
    'existingPlanRoleArn',
    /must be a role in the service's account/,
  ],
];
