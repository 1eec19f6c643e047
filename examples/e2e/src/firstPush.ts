/*
 * What "Create new ML service" must leave behind for the repository's first push to deploy: its
 * CI roles in moto, and, recorded by the local GitHub stand-in, its environments, variables and
 * the one dispatch of the deploy workflow.
 */
import { GetRoleCommand, IAMClient, Role } from '@aws-sdk/client-iam';
import fs from 'node:fs/promises';
import path from 'node:path';

const ACCOUNT_ID = '123456789012';
const BOUNDARY = 'ml-ci-boundary';

export interface NewService {
  name: string;
  owner: string;
  environments: string[];
  defaultBranch: string;
}

/** The ARNs of a new service's CI roles. */
export interface CiRoleArns {
  terraform: Record<string, string>;
  plan: string;
}

/** What the local stand-in records in `<repo>.github.json` (examples/backend). */
interface RecordedSettings {
  variables: Record<string, string>;
  environments: Record<
    string,
    {
      deploymentBranchPolicy: {
        protected_branches: boolean;
        custom_branch_policies: boolean;
      } | null;
      customBranchPolicyNames: string[];
      variables: Record<string, string>;
      reviewers: string[];
      preventSelfReview: boolean;
    }
  >;
  dispatches: Array<{ workflowId: string; ref: string }>;
}

function expectEqual(what: string, actual: unknown, expected: unknown) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(
        actual,
      )}`,
    );
  }
}

async function getRole(iam: IAMClient, roleName: string): Promise<Role> {
  const { Role: role } = await iam
    .send(new GetRoleCommand({ RoleName: roleName }))
    .catch(error => {
      throw new Error(`role ${roleName} is not in moto: ${error.message}`);
    });
  return role!;
}

/** The GitHub OIDC subjects a role's trust policy accepts. */
function trustedSubjects(role: Role): string[] {
  const policy = JSON.parse(
    decodeURIComponent(role.AssumeRolePolicyDocument ?? '{}'),
  );
  return (policy.Statement ?? []).flatMap((statement: any) =>
    Object.values(statement.Condition ?? {}).flatMap((condition: any) =>
      [condition['token.actions.githubusercontent.com:sub'] ?? []].flat(),
    ),
  );
}

function expectBoundary(role: Role) {
  const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn;
  expectEqual(
    `permissions boundary of ${role.RoleName}`,
    boundary,
    `arn:aws:iam::${ACCOUNT_ID}:policy/${BOUNDARY}`,
  );
}

/**
 * The OIDC subject prefix the local GitHub API stand-in gives the published repository: immutable
 * (repo:acme@ID/name@ID), as GitHub gives every new repository.
 */
async function publishedSubjectPrefix(
  backendUrl: string,
  service: NewService,
): Promise<string> {
  const res = await fetch(
    `${backendUrl}/api/local-github/repos/acme/${service.name}/actions/oidc/customization/sub`,
  );
  const prefix = ((await res.json()) as { sub_claim_prefix?: string })
    .sub_claim_prefix;
  if (!res.ok || !prefix || !/^repo:acme@\d+\/[^@]+@\d+$/.test(prefix)) {
    throw new Error(
      `the local GitHub API gives no immutable subject prefix for acme/${service.name}: HTTP ${res.status} ${prefix}`,
    );
  }
  return prefix;
}

/**
 * The Terraform role of each environment, trusted only by jobs of that GitHub environment (with
 * the subject GitHub mints for the published repository), and the plan role; all under the platform's boundary. Returns their ARNs.
 */
export async function expectCiRolesInMoto(
  motoEndpoint: string,
  backendUrl: string,
  service: NewService,
): Promise<CiRoleArns> {
  const iam = new IAMClient({
    endpoint: motoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const repository = await publishedSubjectPrefix(backendUrl, service);
  try {
    const terraform: Record<string, string> = {};
    for (const environment of service.environments) {
      const role = await getRole(
        iam,
        `${service.name}-${environment}-ci-terraform`,
      );
      expectEqual(
        `subjects trusted by ${role.RoleName}`,
        trustedSubjects(role),
        [`${repository}:environment:${environment}`],
      );
      expectBoundary(role);
      terraform[environment] = role.Arn!;
    }
    const plan = await getRole(iam, `${service.name}-ci-plan`);
    const planSubjects = trustedSubjects(plan);
    for (const subject of [
      `${repository}:pull_request`,
      `${repository}:ref:refs/heads/${service.defaultBranch}`,
    ]) {
      if (!planSubjects.includes(subject)) {
        throw new Error(
          `${plan.RoleName} does not trust ${subject}: ${planSubjects}`,
        );
      }
    }
    expectBoundary(plan);
    return { terraform, plan: plan.Arn! };
  } finally {
    iam.destroy();
  }
}

/**
 * The local stand-in's record of the new repository: the plan role as a repository variable, one
 * environment per selected environment with its roles and the default branch as the only branch
 * that may deploy, prod's reviewers, and exactly one dispatch of the deploy workflow.
 */
export async function expectRecordedGitHubSettings(
  localGitDir: string,
  service: NewService,
  roles: CiRoleArns,
): Promise<void> {
  const file = path.join(
    localGitDir,
    'github.com/acme',
    `${service.name}.github.json`,
  );
  const record: RecordedSettings = JSON.parse(await fs.readFile(file, 'utf8'));
  expectEqual('repository variables', record.variables, {
    AWS_PLAN_ROLE_ARN: roles.plan,
    DEPLOY_RUNS_ON: 'ubuntu-24.04',
  });
  expectEqual(
    'recorded environments',
    Object.keys(record.environments).sort(),
    [...service.environments].sort(),
  );
  for (const name of service.environments) {
    const environment = record.environments[name];
    expectEqual(`variables of ${name}`, environment.variables, {
      AWS_TERRAFORM_ROLE_ARN: roles.terraform[name],
      AWS_DEPLOY_ROLE_ARN: `arn:aws:iam::${ACCOUNT_ID}:role/${service.name}-${name}-github-deploy`,
      REQUIRE_REVIEWERS: name === 'prod' ? 'true' : 'false',
    });
    expectEqual(
      `branches that may deploy to ${name}`,
      [environment.deploymentBranchPolicy, environment.customBranchPolicyNames],
      [
        { protected_branches: false, custom_branch_policies: true },
        [service.defaultBranch],
      ],
    );
  }
  expectEqual(
    'prod reviewers',
    [
      record.environments.prod?.reviewers,
      record.environments.prod?.preventSelfReview,
    ],
    [[service.owner], true],
  );
  expectEqual(
    'workflow dispatches',
    record.dispatches.map(({ workflowId, ref }) => ({ workflowId, ref })),
    [{ workflowId: 'deploy.yml', ref: service.defaultBranch }],
  );
}

/** The log lines of a scaffolder task, from the scaffolder's REST API. */
export async function taskLog(
  backendUrl: string,
  taskId: string,
): Promise<string> {
  const response = await fetch(
    `${backendUrl}/api/scaffolder/v2/tasks/${encodeURIComponent(
      taskId,
    )}/events`,
  );
  if (!response.ok) {
    throw new Error(`task ${taskId} events: HTTP ${response.status}`);
  }
  const events: Array<{ type: string; body: { message?: string } }> =
    await response.json();
  return events
    .filter(event => event.type === 'log')
    .map(event => event.body.message ?? '')
    .join('\n');
}
