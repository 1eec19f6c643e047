import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { ConflictError } from '@backstage/errors';
import { isAwsError } from './awsErrors';
import { PolicyDocument, trustedSubjects } from './ciRoleDocuments';
import { isNoSuchEntity, policyName } from './iamPolicies';
import {
  canonicalJson,
  fromTagList,
  missingTags,
  PlannedChange,
  toTagList,
} from './plannedChange';
import { retryWhile, SETTLE_DELAYS_MS } from './retryWhile';

/** The tag that says which GitHub repository a CI role was made for. */
export const REPOSITORY_TAG = 'mlops:github-repository';

/** How one CI role should look. */
export interface DesiredRole {
  name: string;
  description: string;
  /** `<owner>/<repo>` (`<host>/<owner>/<repo>` off github.com), the value of {@link REPOSITORY_TAG}. */
  repository: string;
  trustPolicy: PolicyDocument;
  permissionsBoundaryArn?: string;
  managedPolicyArns: string[];
  inlinePolicy: { name: string; document: PolicyDocument; summary: string };
  /** The longest session a job may ask for, in seconds; IAM's default (3600) when unset. */
  maxSessionDurationSeconds?: number;
  /** Every tag the role gets, {@link REPOSITORY_TAG} included. */
  tags: Record<string, string>;
}

/** What a read-only inspection found. */
export interface RoleState {
  exists: boolean;
  arn?: string;
  trustPolicy?: unknown;
  permissionsBoundaryArn?: string;
  maxSessionDurationSeconds?: number;
  tags: Record<string, string>;
  managedPolicyArns: string[];
  inlinePolicyNames: string[];
  /** The document of the desired inline policy's name, when the role has one. */
  inlinePolicy?: unknown;
}

const MISSING_ROLE: RoleState = {
  exists: false,
  tags: {},
  managedPolicyArns: [],
  inlinePolicyNames: [],
};

/** IAM returns policy documents URL-encoded; emulators may not. */
function parsePolicyDocument(text: string | undefined): unknown {
  if (!text) {
    return undefined;
  }
  return JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text));
}

async function collectPages<P>(
  pages: AsyncIterable<P>,
  items: (page: P) => string[] | undefined,
): Promise<string[]> {
  const all: string[] = [];
  for await (const page of pages) {
    all.push(...(items(page) ?? []));
  }
  return all;
}

/** Reads a role, its policies and tags; sends no mutating call. */
export async function inspectRole(
  iam: IAMClient,
  desired: Pick<DesiredRole, 'name' | 'inlinePolicy'>,
): Promise<RoleState> {
  const RoleName = desired.name;
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName }))).Role;
  } catch (error) {
    if (isNoSuchEntity(error)) {
      return MISSING_ROLE;
    }
    throw error;
  }
  const [managedPolicyArns, inlineNames] = await Promise.all([
    collectPages(
      paginateListAttachedRolePolicies({ client: iam }, { RoleName }),
      page => page.AttachedPolicies?.map(p => p.PolicyArn ?? ''),
    ),
    collectPages(
      paginateListRolePolicies({ client: iam }, { RoleName }),
      page => page.PolicyNames,
    ),
  ]);
  const PolicyName = desired.inlinePolicy.name;
  const inline = inlineNames.includes(PolicyName)
    ? await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))
    : undefined;
  return {
    exists: true,
    arn: role?.Arn,
    trustPolicy: parsePolicyDocument(role?.AssumeRolePolicyDocument),
    permissionsBoundaryArn: role?.PermissionsBoundary?.PermissionsBoundaryArn,
    maxSessionDurationSeconds: role?.MaxSessionDuration,
    tags: fromTagList(role?.Tags),
    managedPolicyArns,
    inlinePolicyNames: inlineNames,
    inlinePolicy: parsePolicyDocument(inline?.PolicyDocument),
  };
}

/** Refuses a role that exists but was not made for this repository. */
function assertOwnedByRepository(state: RoleState, desired: DesiredRole) {
  if (!state.exists) {
    return;
  }
  const owner = state.tags[REPOSITORY_TAG];
  if (owner?.toLowerCase() === desired.repository.toLowerCase()) {
    return;
  }
  const whose = owner
    ? `was made for the GitHub repository "${owner}" (tag ${REPOSITORY_TAG})`
    : `was not made by this action for a GitHub repository (it has no ${REPOSITORY_TAG} tag)`;
  throw new ConflictError(
    `IAM role "${desired.name}" already exists and ${whose}, so it is not changed for "${desired.repository}". ` +
      `Choose another namePrefix, or, if the role is really this repository's, tag it ` +
      `${REPOSITORY_TAG}=${desired.repository}. Nothing was changed.`,
  );
}

/**
 * IAM is eventually consistent: a role that trusts an OIDC provider created a
 * moment ago can be refused as naming an invalid principal for a while.
 */
export function retryWhileInvalidPrincipal<T>(
  call: () => Promise<T>,
  delaysMs: readonly number[] = SETTLE_DELAYS_MS,
): Promise<T> {
  return retryWhile(isInvalidPrincipal, call, delaysMs);
}

function isInvalidPrincipal(error: unknown): boolean {
  return (
    isAwsError(error, 'MalformedPolicyDocumentException') &&
    /principal/i.test((error as Error).message)
  );
}

function describeRole(desired: DesiredRole): string {
  const boundary = desired.permissionsBoundaryArn
    ? policyName(desired.permissionsBoundaryArn)
    : 'none';
  const policies = desired.managedPolicyArns.map(policyName).join(', ');
  return (
    `IAM role "${desired.name}" (trusts ${trustedSubjects(
      desired.trustPolicy,
    ).join(', ')}; boundary ${boundary}; policies ${policies || 'none'}; ` +
    `inline ${desired.inlinePolicy.name}: ${desired.inlinePolicy.summary})`
  );
}

async function createRole(iam: IAMClient, desired: DesiredRole) {
  const RoleName = desired.name;
  // The boundary is set in CreateRole itself, so the role never exists without
  // it and a platform may require it (condition iam:PermissionsBoundary).
  await retryWhileInvalidPrincipal(() =>
    iam.send(
      new CreateRoleCommand({
        RoleName,
        Description: desired.description,
        AssumeRolePolicyDocument: JSON.stringify(desired.trustPolicy),
        PermissionsBoundary: desired.permissionsBoundaryArn,
        MaxSessionDuration: desired.maxSessionDurationSeconds,
        Tags: toTagList(desired.tags),
      }),
    ),
  );
  for (const PolicyArn of desired.managedPolicyArns) {
    await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
  }
  await iam.send(
    new PutRolePolicyCommand({
      RoleName,
      PolicyName: desired.inlinePolicy.name,
      PolicyDocument: JSON.stringify(desired.inlinePolicy.document),
    }),
  );
}

function trustChange(
  iam: IAMClient,
  state: RoleState,
  desired: DesiredRole,
  name: string,
): PlannedChange[] {
  if (canonicalJson(state.trustPolicy) === canonicalJson(desired.trustPolicy)) {
    return [];
  }
  const from = trustedSubjects(state.trustPolicy).join(', ');
  const to = trustedSubjects(desired.trustPolicy).join(', ');
  return [
    {
      kind: 'converge',
      subject: `trust policy of ${name}`,
      from: from === to ? 'changed by hand' : from || 'no GitHub subject',
      to,
      apply: () =>
        retryWhileInvalidPrincipal(() =>
          iam.send(
            new UpdateAssumeRolePolicyCommand({
              RoleName: desired.name,
              PolicyDocument: JSON.stringify(desired.trustPolicy),
            }),
          ),
        ).then(() => undefined),
    },
  ];
}

function boundaryChange(
  iam: IAMClient,
  state: RoleState,
  desired: DesiredRole,
  name: string,
): PlannedChange[] {
  const boundary = desired.permissionsBoundaryArn;
  if (!boundary || state.permissionsBoundaryArn === boundary) {
    return [];
  }
  return [
    {
      kind: 'converge',
      subject: `permissions boundary of ${name}`,
      from: state.permissionsBoundaryArn,
      to: boundary,
      apply: () =>
        iam
          .send(
            new PutRolePermissionsBoundaryCommand({
              RoleName: desired.name,
              PermissionsBoundary: boundary,
            }),
          )
          .then(() => undefined),
    },
  ];
}

function managedPoliciesChange(
  iam: IAMClient,
  state: RoleState,
  desired: DesiredRole,
  name: string,
): PlannedChange[] {
  const RoleName = desired.name;
  const toAttach = desired.managedPolicyArns.filter(
    arn => !state.managedPolicyArns.includes(arn),
  );
  const toDetach = state.managedPolicyArns.filter(
    arn => !desired.managedPolicyArns.includes(arn),
  );
  if (toAttach.length === 0 && toDetach.length === 0) {
    return [];
  }
  return [
    {
      kind: 'converge',
      subject: `managed policies of ${name}`,
      from: state.managedPolicyArns.map(policyName).join(', ') || undefined,
      to: desired.managedPolicyArns.map(policyName).join(', '),
      apply: async () => {
        for (const PolicyArn of toAttach) {
          await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
        }
        for (const PolicyArn of toDetach) {
          await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
        }
      },
    },
  ];
}

function inlinePolicyChanges(
  iam: IAMClient,
  state: RoleState,
  desired: DesiredRole,
  name: string,
): PlannedChange[] {
  const RoleName = desired.name;
  const { inlinePolicy } = desired;
  const changes: PlannedChange[] = [];
  if (
    canonicalJson(state.inlinePolicy) !== canonicalJson(inlinePolicy.document)
  ) {
    changes.push({
      kind: 'converge',
      subject: `inline policy "${inlinePolicy.name}" of ${name}`,
      from: state.inlinePolicy ? 'changed by hand' : undefined,
      to: inlinePolicy.summary,
      apply: () =>
        iam
          .send(
            new PutRolePolicyCommand({
              RoleName,
              PolicyName: inlinePolicy.name,
              PolicyDocument: JSON.stringify(inlinePolicy.document),
            }),
          )
          .then(() => undefined),
    });
  }
  // Any other inline policy could grant what the role must not have.
  const others = state.inlinePolicyNames.filter(n => n !== inlinePolicy.name);
  if (others.length > 0) {
    changes.push({
      kind: 'converge',
      subject: `other inline policies of ${name}`,
      from: others.join(', '),
      to: 'none',
      apply: async () => {
        for (const PolicyName of others) {
          await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
        }
      },
    });
  }
  return changes;
}

function sessionDurationChange(
  iam: IAMClient,
  state: RoleState,
  desired: DesiredRole,
  name: string,
): PlannedChange[] {
  const wanted = desired.maxSessionDurationSeconds;
  if (!wanted || state.maxSessionDurationSeconds === wanted) {
    return [];
  }
  return [
    {
      kind: 'converge',
      subject: `maximum session duration of ${name}`,
      from: `${state.maxSessionDurationSeconds ?? 3600} s`,
      to: `${wanted} s`,
      apply: () =>
        iam
          .send(
            new UpdateRoleCommand({
              RoleName: desired.name,
              MaxSessionDuration: wanted,
            }),
          )
          .then(() => undefined),
    },
  ];
}

function tagsChange(
  iam: IAMClient,
  state: RoleState,
  desired: DesiredRole,
  name: string,
): PlannedChange[] {
  const tagsToSet = missingTags(state.tags, desired.tags);
  if (Object.keys(tagsToSet).length === 0) {
    return [];
  }
  return [
    {
      kind: 'converge',
      subject: `tags of ${name}`,
      from: 'missing or different',
      to: Object.keys(tagsToSet).sort().join(', '),
      apply: () =>
        iam
          .send(
            new TagRoleCommand({
              RoleName: desired.name,
              Tags: toTagList(tagsToSet),
            }),
          )
          .then(() => undefined),
    },
  ];
}

/**
 * The read-only decision: which changes bring the role to the desired state.
 * Throws, before anything is changed, when the role belongs to someone else.
 */
export function planRole(
  iam: IAMClient,
  state: RoleState,
  desired: DesiredRole,
): PlannedChange[] {
  assertOwnedByRepository(state, desired);
  if (!state.exists) {
    return [
      {
        kind: 'create',
        subject: describeRole(desired),
        apply: () => createRole(iam, desired),
      },
    ];
  }
  const name = `IAM role "${desired.name}"`;
  return [
    ...trustChange(iam, state, desired, name),
    ...boundaryChange(iam, state, desired, name),
    ...sessionDurationChange(iam, state, desired, name),
    ...managedPoliciesChange(iam, state, desired, name),
    ...inlinePolicyChanges(iam, state, desired, name),
    ...tagsChange(iam, state, desired, name),
  ];
}
