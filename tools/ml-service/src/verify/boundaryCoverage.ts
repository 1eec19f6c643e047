/*
 * moto does not enforce IAM: a role whose permissions boundary cuts what the role needs applies
 * here and fails only in a real account (a deploy role that may not read its certificate's chain,
 * nodes that may not hand out Pod Identity credentials). This reads back from moto every role the
 * apply created under a boundary and names each action its policies allow that the boundary does
 * not.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { MOTO_CREDENTIALS } from '@internal/moto-server';

interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
}

/** The actions the Allow statements of a policy document name (URL-encoded JSON, as IAM returns it). */
export function allowedActions(encodedDocument: string): string[] {
  const document = JSON.parse(decodeURIComponent(encodedDocument)) as {
    Statement?: PolicyStatement | PolicyStatement[];
  };
  const statements = [document.Statement ?? []].flat();
  return statements
    .filter(statement => statement.Effect === 'Allow')
    .flatMap(statement => [statement.Action ?? []].flat());
}

/** IAM's action pattern (`*` any run, `?` one character, case-insensitive) as a regular expression. */
function actionPattern(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map(c => {
      if (c === '*') return '.*';
      if (c === '?') return '.';
      return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * Whether the boundary's Allow actions cover `action` (itself possibly a pattern, such as
 * `ec2:Describe*`, which a boundary entry covers when it matches every action the pattern does:
 * here, when it matches the pattern's text).
 */
export function coveredBy(boundaryActions: string[], action: string): boolean {
  return boundaryActions.some(allowed => actionPattern(allowed).test(action));
}

/** One action a role's policy allows that its boundary does not. */
export interface ActionOutsideBoundary {
  role: string;
  policy: string;
  action: string;
  boundaryArn: string;
}

async function policyDocument(iam: IAMClient, policyArn: string) {
  const { Policy } = await iam.send(
    new GetPolicyCommand({ PolicyArn: policyArn }),
  );
  const { PolicyVersion } = await iam.send(
    new GetPolicyVersionCommand({
      PolicyArn: policyArn,
      VersionId: Policy!.DefaultVersionId!,
    }),
  );
  return PolicyVersion!.Document!;
}

/** Every policy of `role` (inline and attached), by name, as its document. */
async function rolePolicies(
  iam: IAMClient,
  role: string,
): Promise<Array<{ name: string; document: string }>> {
  const policies: Array<{ name: string; document: string }> = [];
  for await (const page of paginateListRolePolicies(
    { client: iam },
    { RoleName: role },
  )) {
    for (const name of page.PolicyNames ?? []) {
      const { PolicyDocument } = await iam.send(
        new GetRolePolicyCommand({ RoleName: role, PolicyName: name }),
      );
      policies.push({ name, document: PolicyDocument! });
    }
  }
  for await (const page of paginateListAttachedRolePolicies(
    { client: iam },
    { RoleName: role },
  )) {
    for (const attached of page.AttachedPolicies ?? []) {
      policies.push({
        name: attached.PolicyName!,
        document: await policyDocument(iam, attached.PolicyArn!),
      });
    }
  }
  return policies;
}

/** The tag mlops:github-oidc:ensure puts on the CI roles it makes. */
const CI_ROLE_TAG = 'mlops:github-repository';

/**
 * What the roles in moto at `endpoint` that carry a permissions boundary may
 * not do under it. The CI roles Backstage makes are left out: the plan role
 * holds ReadOnlyAccess on purpose, for the boundary to cut down.
 */
export async function actionsOutsideBoundaries(
  endpoint: string,
): Promise<ActionOutsideBoundary[]> {
  const iam = new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
  });
  const boundaries = new Map<string, string[]>();
  const outside: ActionOutsideBoundary[] = [];
  try {
    for await (const page of paginateListRoles({ client: iam }, {})) {
      for (const { RoleName } of page.Roles ?? []) {
        const { Role } = await iam.send(new GetRoleCommand({ RoleName }));
        const boundaryArn = Role?.PermissionsBoundary?.PermissionsBoundaryArn;
        if (!boundaryArn || Role?.Tags?.some(tag => tag.Key === CI_ROLE_TAG)) {
          continue;
        }
        if (!boundaries.has(boundaryArn)) {
          boundaries.set(
            boundaryArn,
            allowedActions(await policyDocument(iam, boundaryArn)),
          );
        }
        const allowed = boundaries.get(boundaryArn)!;
        for (const policy of await rolePolicies(iam, RoleName!)) {
          for (const action of new Set(allowedActions(policy.document))) {
            if (!coveredBy(allowed, action)) {
              outside.push({
                role: RoleName!,
                policy: policy.name,
                action,
                boundaryArn,
              });
            }
          }
        }
      }
    }
    return outside;
  } finally {
    iam.destroy();
  }
}

/** The check's message for what the boundary does not allow; undefined when it allows everything. */
export function boundaryProblem(
  outside: ActionOutsideBoundary[],
): string | undefined {
  if (outside.length === 0) return undefined;
  const lines = outside.map(
    o => `  ${o.role} (${o.policy}): ${o.action} — not in ${o.boundaryArn}`,
  );
  return (
    `the permissions boundary does not allow what these roles' policies give them, which AWS then denies:\n${lines.join(
      '\n',
    )}\n` +
    'allow these actions in the boundary (tools/ml-service/src/platformPolicies.ts is the one the demo and the tests create; a platform boundary must allow them too)'
  );
}
