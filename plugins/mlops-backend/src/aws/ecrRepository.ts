import {
  CreateRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  Repository,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { ConflictError } from '@backstage/errors';
import { isAwsError } from './awsErrors';
import { MANAGED_BY_TAG } from './managedTags';
import {
  canonicalJson,
  fromTagList,
  missingTags,
  partitionOf,
  PlannedChange,
  toTagList,
} from './plannedChange';

/** How the ECR repository should look. */
export interface DesiredRepository {
  repositoryName: string;
  registryId?: string;
  /** Partition of the repository's region: an account ID among the pull principals becomes `arn:<partition>:iam::<id>:root`. */
  partition: string;
  imageTagMutability: 'IMMUTABLE' | 'MUTABLE';
  scanOnPush: boolean;
  encryption: 'KMS' | 'AES256';
  kmsKeyId?: string;
  keepLastTagged: number;
  expireUntaggedAfterDays: number;
  /**
   * Tag prefixes whose images are counted apart, each keeping its own last
   * `keepLastTagged`; the first listed takes precedence for an image
   * carrying several.
   */
  protectedTagPrefixes: string[];
  /** Undefined leaves the repository policy alone; a list (even empty) is enforced. */
  pullPrincipals?: string[];
  tags: Record<string, string>;
}

export interface RepositoryState {
  repository?: Repository;
  lifecyclePolicy?: unknown;
  policy?: PolicyDocument;
  tags: Record<string, string>;
}

interface PolicyDocument {
  Version?: string;
  Statement: Array<{ Sid?: string; [key: string]: unknown }>;
}

export const PULL_STATEMENT_SID = 'MlopsAllowPull';
const PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

/** Registry URI and ARN of a repository, derived from its account and region. */
export function repositoryCoordinates(
  accountId: string,
  region: string,
  repositoryName: string,
) {
  const suffix = region.startsWith('cn-') ? '.com.cn' : '.com';
  return {
    registryId: accountId,
    repositoryUri: `${accountId}.dkr.ecr.${region}.amazonaws${suffix}/${repositoryName}`,
    repositoryArn: `arn:${partitionOf(
      region,
    )}:ecr:${region}:${accountId}:repository/${repositoryName}`,
  };
}

/**
 * Expire untagged images after D days; keep the last N images carrying each
 * protected tag prefix (one rule per prefix, in the order given), and the
 * last N of the rest.
 *
 * ECR evaluates rules in priority order and never lets a rule expire an image
 * that a higher-priority rule's tag selection matched. An image deployed to
 * an environment (tagged with that environment's prefix) is therefore
 * expired only once N newer images were deployed there, however many builds
 * are pushed meanwhile.
 */
export function lifecyclePolicyFor(desired: DesiredRepository) {
  const { keepLastTagged, protectedTagPrefixes } = desired;
  const protectedRules = protectedTagPrefixes.map((prefix, index) => ({
    rulePriority: index + 2,
    description: `Keep the last ${keepLastTagged} images tagged ${prefix}*`,
    selection: {
      tagStatus: 'tagged',
      tagPrefixList: [prefix],
      countType: 'imageCountMoreThan',
      countNumber: keepLastTagged,
    },
    action: { type: 'expire' },
  }));
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${desired.expireUntaggedAfterDays} days`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: desired.expireUntaggedAfterDays,
        },
        action: { type: 'expire' },
      },
      ...protectedRules,
      {
        rulePriority: protectedRules.length + 2,
        description: protectedRules.length
          ? `Keep the last ${keepLastTagged} of the other images`
          : `Keep the last ${keepLastTagged} images`,
        selection: {
          tagStatus: 'any',
          countType: 'imageCountMoreThan',
          countNumber: keepLastTagged,
        },
        action: { type: 'expire' },
      },
    ],
  };
}

/** The lifecycle policy in words, for the plan and the changes output. */
function describeLifecycle(desired: DesiredRepository): string {
  const protectedPrefixes = desired.protectedTagPrefixes.length
    ? ` per tag prefix ${desired.protectedTagPrefixes
        .map(prefix => `${prefix}*`)
        .join(', ')} and of the rest`
    : '';
  return `keep last ${desired.keepLastTagged}${protectedPrefixes}, expire untagged after ${desired.expireUntaggedAfterDays} days`;
}

/** An account ID as its root ARN, in the repository's partition (a policy names principals of its own partition only). */
function principalArn(principal: string, partition: string): string {
  return /^\d{12}$/.test(principal)
    ? `arn:${partition}:iam::${principal}:root`
    : principal;
}

function pullStatement(principals: string[], partition: string) {
  return {
    Sid: PULL_STATEMENT_SID,
    Effect: 'Allow',
    Principal: {
      AWS: principals.map(p => principalArn(p, partition)).sort(),
    },
    Action: PULL_ACTIONS,
  };
}

/** The repository, or undefined when it does not exist. */
export async function describeRepository(
  ecr: ECRClient,
  repositoryName: string,
  registryId?: string,
): Promise<Repository | undefined> {
  try {
    const found = await ecr.send(
      new DescribeRepositoriesCommand({
        repositoryNames: [repositoryName],
        registryId,
      }),
    );
    return found.repositories?.[0];
  } catch (error) {
    if (isAwsError(error, 'RepositoryNotFoundException')) {
      return undefined;
    }
    throw error;
  }
}

/** Reads the repository's state; sends no mutating call. */
export async function inspectRepository(
  ecr: ECRClient,
  repositoryName: string,
  registryId?: string,
): Promise<RepositoryState> {
  const repository = await describeRepository(ecr, repositoryName, registryId);
  if (!repository) {
    return { tags: {} };
  }
  const [lifecycle, policy, tags] = await Promise.all([
    ecr
      .send(new GetLifecyclePolicyCommand({ repositoryName, registryId }))
      .catch(orNotFound('LifecyclePolicyNotFoundException')),
    ecr
      .send(new GetRepositoryPolicyCommand({ repositoryName, registryId }))
      .catch(orNotFound('RepositoryPolicyNotFoundException')),
    ecr.send(
      new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }),
    ),
  ]);
  return {
    repository,
    lifecyclePolicy: lifecycle?.lifecyclePolicyText
      ? JSON.parse(lifecycle.lifecyclePolicyText)
      : undefined,
    policy: policy?.policyText
      ? (JSON.parse(policy.policyText) as PolicyDocument)
      : undefined,
    tags: fromTagList(tags.tags),
  };
}

function orNotFound(code: string) {
  return (error: unknown): undefined => {
    if (isAwsError(error, code)) {
      return undefined;
    }
    throw error;
  };
}

/**
 * The repository policy with our pull statement brought in line, or
 * `undefined` when nothing needs to change. `null` means "delete the policy".
 */
function desiredRepositoryPolicy(
  state: RepositoryState,
  desired: DesiredRepository,
): PolicyDocument | null | undefined {
  const principals = desired.pullPrincipals;
  if (principals === undefined) {
    return undefined;
  }
  const others = (state.policy?.Statement ?? []).filter(
    s => s.Sid !== PULL_STATEMENT_SID,
  );
  const current = state.policy?.Statement.find(
    s => s.Sid === PULL_STATEMENT_SID,
  );
  const wanted =
    principals.length > 0
      ? pullStatement(principals, desired.partition)
      : undefined;
  const same =
    wanted && current
      ? canonicalJson(current) === canonicalJson(wanted)
      : !wanted && !current;
  if (same) {
    return undefined;
  }
  const statements = wanted ? [...others, wanted] : others;
  return statements.length > 0
    ? { Version: '2012-10-17', Statement: statements }
    : null;
}

/** The tags that mark a repository as made by this action for the desired service. */
function ownershipTags(desired: DesiredRepository): Record<string, string> {
  const { service } = desired.tags;
  return service ? { ...MANAGED_BY_TAG, service } : { ...MANAGED_BY_TAG };
}

/**
 * Refuses a repository that exists but was not made by this action for this
 * service: converging it would replace another team's lifecycle policy (and
 * expire their images) and let this service push into it.
 */
function assertOwnedByService(
  state: RepositoryState,
  desired: DesiredRepository,
) {
  if (!state.repository) {
    return;
  }
  const required = ownershipTags(desired);
  const missing = Object.entries(required).filter(
    ([key, value]) => state.tags[key] !== value,
  );
  if (missing.length === 0) {
    return;
  }
  const tagText = (tags: Array<[string, string]>) =>
    tags.map(([key, value]) => `${key}=${value}`).join(' ');
  throw new ConflictError(
    `ECR repository "${
      desired.repositoryName
    }" already exists and is not tagged ${tagText(
      Object.entries(required),
    )} (it lacks ${tagText(missing)}), so it was not made by this action ` +
      `for this service and is not changed. Choose another repositoryName (the template's ecrRepositoryName), ` +
      `or, if the repository is really this service's, add those tags to it. Nothing was changed.`,
  );
}

/**
 * The read-only decision: which changes bring the repository to the desired
 * state. Throws, before anything is changed, when the repository belongs to
 * someone else.
 */
export function planRepository(
  ecr: ECRClient,
  state: RepositoryState,
  desired: DesiredRepository,
): { changes: PlannedChange[]; warnings: string[] } {
  assertOwnedByService(state, desired);
  const { repositoryName, registryId } = desired;
  const name = `ECR repository "${repositoryName}"`;
  const changes: PlannedChange[] = [];
  const warnings: string[] = [];
  const repo = state.repository;
  if (!repo) {
    changes.push({
      kind: 'create',
      subject: `${name} (${desired.imageTagMutability}, scan on push ${
        desired.scanOnPush ? 'on' : 'off'
      }, ${desired.encryption} encryption)`,
      apply: () => createRepository(ecr, desired),
    });
  } else {
    if (repo.imageTagMutability !== desired.imageTagMutability) {
      changes.push({
        kind: 'converge',
        subject: `tag mutability of ${name}`,
        from: repo.imageTagMutability,
        to: desired.imageTagMutability,
        apply: () =>
          ecr
            .send(
              new PutImageTagMutabilityCommand({
                repositoryName,
                registryId,
                imageTagMutability: desired.imageTagMutability,
              }),
            )
            .then(() => undefined),
      });
    }
    const scanOnPush = repo.imageScanningConfiguration?.scanOnPush ?? false;
    if (scanOnPush !== desired.scanOnPush) {
      changes.push({
        kind: 'converge',
        subject: `scan on push of ${name}`,
        from: String(scanOnPush),
        to: String(desired.scanOnPush),
        apply: () =>
          ecr
            .send(
              new PutImageScanningConfigurationCommand({
                repositoryName,
                registryId,
                imageScanningConfiguration: { scanOnPush: desired.scanOnPush },
              }),
            )
            .then(() => undefined),
      });
    }
    const encryption = repo.encryptionConfiguration?.encryptionType ?? 'AES256';
    if (encryption !== desired.encryption) {
      warnings.push(
        `${name} uses ${encryption} encryption, not ${desired.encryption}; ECR cannot change a repository's ` +
          `encryption after creation, so recreate the repository to change it.`,
      );
    }
  }
  const lifecycle = lifecyclePolicyFor(desired);
  if (canonicalJson(state.lifecyclePolicy) !== canonicalJson(lifecycle)) {
    changes.push({
      kind: 'converge',
      subject: `lifecycle policy of ${name}`,
      from: state.lifecyclePolicy ? 'different rules' : undefined,
      to: describeLifecycle(desired),
      apply: () =>
        ecr
          .send(
            new PutLifecyclePolicyCommand({
              repositoryName,
              registryId,
              lifecyclePolicyText: JSON.stringify(lifecycle),
            }),
          )
          .then(() => undefined),
    });
  }
  const policy = desiredRepositoryPolicy(state, desired);
  if (policy !== undefined) {
    changes.push({
      kind: 'converge',
      subject: `pull permissions of ${name}`,
      from: state.policy ? 'different principals' : undefined,
      to: desired.pullPrincipals?.length
        ? desired.pullPrincipals.join(', ')
        : 'none',
      apply: () =>
        (policy
          ? ecr.send(
              new SetRepositoryPolicyCommand({
                repositoryName,
                registryId,
                policyText: JSON.stringify(policy),
              }),
            )
          : ecr.send(
              new DeleteRepositoryPolicyCommand({ repositoryName, registryId }),
            )
        ).then(() => undefined),
    });
  }
  const tagsToSet = repo ? missingTags(state.tags, desired.tags) : {};
  if (Object.keys(tagsToSet).length > 0 && repo?.repositoryArn) {
    const resourceArn = repo.repositoryArn;
    changes.push({
      kind: 'converge',
      subject: `tags of ${name}`,
      from: 'missing or different',
      to: Object.keys(tagsToSet).sort().join(', '),
      apply: () =>
        ecr
          .send(
            new TagResourceCommand({
              resourceArn,
              tags: toTagList(tagsToSet),
            }),
          )
          .then(() => undefined),
    });
  }
  return { changes, warnings };
}

async function createRepository(
  ecr: ECRClient,
  desired: DesiredRepository,
): Promise<void> {
  try {
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: desired.repositoryName,
        registryId: desired.registryId,
        imageTagMutability: desired.imageTagMutability,
        imageScanningConfiguration: { scanOnPush: desired.scanOnPush },
        encryptionConfiguration:
          desired.encryption === 'KMS'
            ? { encryptionType: 'KMS', kmsKey: desired.kmsKeyId }
            : { encryptionType: 'AES256' },
        tags: toTagList(desired.tags),
      }),
    );
  } catch (error) {
    if (!isAwsError(error, 'RepositoryAlreadyExistsException')) {
      throw error;
    }
  }
}
