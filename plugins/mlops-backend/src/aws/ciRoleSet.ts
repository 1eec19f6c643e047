import {
  datasetKeyPattern,
  environmentSubject,
  GithubOidcProvider,
  githubTrustPolicy,
  planStatePolicy,
  planSubjects,
  PolicyScope,
  StateLocation,
  terraformStatePolicy,
  trainingDataPolicy,
} from './ciRoleDocuments';
import { DesiredRole, REPOSITORY_TAG } from './ciRoles';

/** What the roles are for: one repository, its environments and its state. */
export interface CiRoleRequest {
  /** `<owner>/<repo>` on github.com, `<host>/<owner>/<repo>` on another GitHub instance. */
  repository: string;
  /** What its workflows' OIDC subjects start with: `repo:<owner>/<repo>`, or `repo:<owner>@<id>/<repo>@<id>`. */
  subjectPrefix: string;
  environments: string[];
  defaultBranch: string;
  namePrefix: string;
  state: StateLocation;
  dataset?: { bucket: string; key: string };
  tags: Record<string, string>;
}

/** The platform's policies, as ARNs. */
export interface CiRolePolicies {
  permissionsBoundaryArn?: string;
  terraform: string[];
  plan: string[];
}

export interface CiRoles {
  terraform: Array<{ environment: string; role: DesiredRole }>;
  plan: DesiredRole;
  training?: DesiredRole;
}

/**
 * The longest session a Terraform job may ask for: an apply that creates or
 * upgrades a cluster and its node group can outlast IAM's default hour, and
 * credentials that expire mid-apply leave the state unsaved and its lock
 * behind. The generated workflow asks for as much (role-duration-seconds).
 */
export const TERRAFORM_SESSION_SECONDS = 3 * 3600;

export function terraformRoleName(namePrefix: string, environment: string) {
  return `${namePrefix}-${environment}-ci-terraform`;
}

export function planRoleName(namePrefix: string) {
  return `${namePrefix}-ci-plan`;
}

export function trainingRoleName(namePrefix: string) {
  return `${namePrefix}-ci-training`;
}

/** Every role name a request makes, for the length check. */
export function ciRoleNames(
  namePrefix: string,
  environments: string[],
  withTraining: boolean,
): string[] {
  return [
    ...environments.map(env => terraformRoleName(namePrefix, env)),
    planRoleName(namePrefix),
    ...(withTraining ? [trainingRoleName(namePrefix)] : []),
  ];
}

export function roleArn(scope: PolicyScope, name: string): string {
  return `arn:${scope.partition}:iam::${scope.accountId}:role/${name}`;
}

function s3Location(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The roles a request needs, each with its trust, policies and tags. */
export function desiredCiRoles(
  request: CiRoleRequest,
  scope: PolicyScope & { provider: GithubOidcProvider },
  policies: CiRolePolicies,
): CiRoles {
  const { repository, state, namePrefix } = request;
  const role = (
    fields: Omit<DesiredRole, 'repository' | 'tags' | 'permissionsBoundaryArn'>,
  ): DesiredRole => ({
    ...fields,
    repository,
    permissionsBoundaryArn: policies.permissionsBoundaryArn,
    tags: { ...request.tags, [REPOSITORY_TAG]: repository },
  });
  const branchTrust = githubTrustPolicy(
    scope.provider,
    planSubjects(request.subjectPrefix, request.defaultBranch),
  );
  const terraform = request.environments.map(environment => ({
    environment,
    role: role({
      name: terraformRoleName(namePrefix, environment),
      description: `GitHub Actions: Terraform of ${repository}, environment ${environment} only`,
      trustPolicy: githubTrustPolicy(scope.provider, [
        environmentSubject(request.subjectPrefix, environment),
      ]),
      managedPolicyArns: policies.terraform,
      maxSessionDurationSeconds: TERRAFORM_SESSION_SECONDS,
      inlinePolicy: {
        name: 'mlops-terraform-state',
        document: terraformStatePolicy(scope, state, environment),
        summary: `state read/write under ${s3Location(
          state.bucket,
          `${state.keyPrefix}/${environment}/`,
        )}`,
      },
    }),
  }));
  const plan = role({
    name: planRoleName(namePrefix),
    description: `GitHub Actions: read-only Terraform plans of ${repository} (pull requests, default branch)`,
    trustPolicy: branchTrust,
    managedPolicyArns: policies.plan,
    inlinePolicy: {
      name: 'mlops-plan-state',
      document: planStatePolicy(scope, state),
      summary: `state read-only under ${s3Location(
        state.bucket,
        `${state.keyPrefix}/`,
      )}, most data reads elsewhere denied`,
    },
  });
  const dataset = request.dataset;
  const training =
    dataset &&
    role({
      name: trainingRoleName(namePrefix),
      description: `GitHub Actions: training of ${repository} reads its dataset (pull requests, default branch)`,
      trustPolicy: branchTrust,
      managedPolicyArns: [],
      inlinePolicy: {
        name: 'mlops-training-data',
        document: trainingDataPolicy(scope, dataset),
        summary: `read ${s3Location(
          dataset.bucket,
          datasetKeyPattern(dataset.key),
        )}`,
      },
    });
  return { terraform, plan, training };
}
