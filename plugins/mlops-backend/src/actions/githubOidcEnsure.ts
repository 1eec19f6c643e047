import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import {
  githubOidcIssuer,
  PolicyScope,
  UNPUBLISHED_SUBJECT_PREFIX,
} from '../aws/ciRoleDocuments';
import {
  DesiredRole,
  inspectRole,
  planRole,
  REPOSITORY_TAG,
} from '../aws/ciRoles';
import {
  CiRolePolicies,
  ciRoleNames,
  CiRoleRequest,
  desiredCiRoles,
  planRoleName,
  roleArn,
  terraformRoleName,
  trainingRoleName,
} from '../aws/ciRoleSet';
import { GithubCiSettings, readGithubCiSettings } from '../aws/githubCiConfig';
import { SUBJECT_PREFIX } from '../github/oidcSubject';
import {
  checkBranch,
  checkDatasetUri,
  checkEnvironmentName,
  checkGithubHost,
  checkGithubOwner,
  checkGithubRepo,
  checkNamePrefix,
  checkPolicySafeKey,
  MAX_ROLE_NAME_LENGTH,
  parseS3Uri,
} from '../aws/githubValidation';
import {
  assertPoliciesExist,
  NamedPolicy,
  policyArn,
  readOnlyAccessArn,
} from '../aws/iamPolicies';
import { managedTags, MANAGED_BY_TAG } from '../aws/managedTags';
import {
  inspectOidcProvider,
  oidcProviderArn,
  planOidcProvider,
} from '../aws/oidcProvider';
import { partitionOf } from '../aws/plannedChange';
import {
  checkBucketName,
  checkLockTableName,
  checkRegion,
  checkStateKeyPrefix,
  InputChecker,
} from '../aws/validation';
import {
  applyChanges,
  finishDryRun,
  inspectOrExplain,
  planLines,
} from './ensureSteps';
import {
  ENSURE_OUTCOME_OUTPUTS,
  FieldSpec,
  FieldValues,
  withTitles,
  zodFields,
} from './fields';
import { examples } from './githubOidcEnsure.examples';

const MAX_ENVIRONMENTS = 10;
/** IAM allows 50 tags on a role; the action sets two of its own. */
const MAX_REQUESTED_TAGS = 48;

const inputs = {
  githubHost: {
    title: 'GitHub host',
    description:
      'Host of the GitHub instance the repository lives on: github.com (the default), <subdomain>.ghe.com (GitHub Enterprise Cloud ' +
      'with data residency) or a GitHub Enterprise Server host, for example (repoUrl | parseRepoUrl).host. The roles trust the Actions ' +
      'OIDC tokens of its issuer: token.actions.githubusercontent.com (with mlops.github.enterpriseSlug, …/<slug>), token.actions.<subdomain>.ghe.com or <host>/_services/token.',
    type: z => z.string().optional(),
  },
  githubOwner: {
    title: 'GitHub owner',
    description:
      'User or organisation that owns the repository whose workflows assume the roles.',
    type: z => z.string(),
  },
  githubRepo: {
    title: 'GitHub repository',
    description: 'Name of the repository whose workflows assume the roles.',
    type: z => z.string(),
  },
  subjectPrefix: {
    title: 'OIDC subject prefix',
    description:
      "What the repository's OIDC subjects start with, from mlops:github-oidc:subject: repo:OWNER@ID/REPO@ID for a " +
      'repository with immutable subject claims (every repository created since mid-2026). Defaults to repo:<githubOwner>/<githubRepo>, ' +
      'which such a repository never presents: run the action again with this once the repository exists.',
    type: z => z.string().optional(),
  },
  untrusted: {
    title: 'Trust no workflow yet',
    description:
      'Create (or keep) the roles trusting a subject GitHub never mints (unpublished:<githubOwner>/<githubRepo>): for roles made before ' +
      'the repository exists, so that a failed publish cannot leave them trusting a repository of that name made elsewhere. ' +
      'Run the action again with subjectPrefix once the repository exists. Not with subjectPrefix.',
    type: z => z.boolean().optional(),
  },
  environments: {
    title: 'Environments',
    description:
      'GitHub environment names (1 to 10, unique); each gets a Terraform role that only a job in that environment may assume.',
    type: z => z.array(z.string()),
  },
  defaultBranch: {
    title: 'Default branch',
    description:
      'The plan and training roles trust pull requests and pushes to this branch.',
    type: z => z.string(),
  },
  namePrefix: {
    title: 'Name prefix',
    description:
      'Prefix of the role names, usually the service name: <prefix>-<env>-ci-terraform, <prefix>-ci-plan, <prefix>-ci-training.',
    type: z => z.string(),
  },
  region: {
    title: 'AWS region',
    description:
      'Region whose partition the roles live in (IAM is global), for example eu-west-1.',
    type: z => z.string(),
  },
  accountId: {
    title: 'AWS account ID',
    description:
      '12-digit account to create the roles in; its credentials come from aws.accounts. Defaults to aws.mainAccount.',
    type: z => z.string().optional(),
  },
  stateBucket: {
    title: 'State bucket',
    description:
      'S3 bucket of the Terraform state (from mlops:tfstate:ensure).',
    type: z => z.string(),
  },
  stateKeyPrefix: {
    title: 'State key prefix',
    description:
      'Key prefix of the state; each environment keeps its state under <prefix>/<env>/.',
    type: z => z.string(),
  },
  stateRegion: {
    title: 'State region',
    description: 'Region of the state bucket. Defaults to region.',
    type: z => z.string().optional(),
  },
  stateLockTable: {
    title: 'State lock table',
    description:
      'Legacy DynamoDB lock table of the state, if any (the lockTable output of mlops:tfstate:ensure).',
    type: z => z.string().optional(),
  },
  datasetUri: {
    title: 'Dataset URI',
    description:
      's3://bucket/path/to/data.csv. When set, a training role that reads that folder only is ensured as well.',
    type: z => z.string().optional(),
  },
  tags: {
    title: 'Tags',
    description: 'Tags for the roles; existing tags are kept.',
    type: z => z.record(z.string()).optional(),
  },
} satisfies Record<string, FieldSpec>;

const outputs = {
  oidcProviderArn: {
    title: 'OIDC provider ARN',
    description:
      "ARN of the account's OIDC provider for the GitHub instance's Actions tokens (…:oidc-provider/<issuer>); empty in a dry run without credentials or accountId.",
    type: z => z.string(),
  },
  terraformRoleArns: {
    title: 'Terraform role ARNs',
    description:
      'Environment name → ARN of its Terraform role (AWS_TERRAFORM_ROLE_ARN of that GitHub environment).',
    type: z => z.record(z.string()),
  },
  planRoleArn: {
    title: 'Plan role ARN',
    description:
      'ARN of the read-only plan role (repository variable AWS_PLAN_ROLE_ARN).',
    type: z => z.string(),
  },
  trainingRoleArn: {
    title: 'Training role ARN',
    description:
      'ARN of the training-data role (AWS_TRAINING_ROLE_ARN); empty when no datasetUri is given.',
    type: z => z.string(),
  },
  permissionsBoundaryArn: {
    title: 'Permissions boundary ARN',
    description:
      'ARN of the boundary on every CI role (mlops.github.permissionsBoundary); roles that Terraform creates with these roles carry it too. Empty when none is configured, or in a dry run without credentials or accountId.',
    type: z => z.string(),
  },
  created: {
    title: 'Created',
    description: 'Whether this run created the provider or a role.',
    type: z => z.boolean(),
  },
  ...ENSURE_OUTCOME_OUTPUTS,
} satisfies Record<string, FieldSpec>;

type GithubOidcInput = FieldValues<typeof inputs>;

function checkEnvironments(checker: InputChecker, environments: unknown) {
  if (
    !Array.isArray(environments) ||
    environments.length < 1 ||
    environments.length > MAX_ENVIRONMENTS
  ) {
    checker.add({
      field: 'environments',
      value: environments,
      rule: `must list 1 to ${MAX_ENVIRONMENTS} environment names`,
    });
    return;
  }
  environments.forEach((name, index) =>
    checker.check(`environments[${index}]`, String(name), checkEnvironmentName),
  );
  const lower = environments.map(name => String(name).toLowerCase());
  const repeated = lower.filter((name, index) => lower.indexOf(name) !== index);
  if (repeated.length > 0) {
    checker.add({
      field: 'environments',
      value: environments,
      rule: `must be unique, ignoring case as IAM role names do (repeated: ${[
        ...new Set(repeated),
      ].join(', ')})`,
    });
  }
}

function checkRoleNameLength(checker: InputChecker, input: GithubOidcInput) {
  if (!input.namePrefix || !Array.isArray(input.environments)) {
    return;
  }
  const names = ciRoleNames(
    input.namePrefix,
    input.environments,
    Boolean(input.datasetUri),
  );
  const longest = names.reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > MAX_ROLE_NAME_LENGTH) {
    checker.add({
      field: 'namePrefix',
      value: input.namePrefix,
      rule: `makes the role name "${longest}" ${longest.length} characters long; IAM allows ${MAX_ROLE_NAME_LENGTH}. Shorten namePrefix or the environment names`,
    });
  }
}

function checkStateRegion(checker: InputChecker, input: GithubOidcInput) {
  const stateRegion = input.stateRegion || undefined;
  checker.check('stateRegion', stateRegion, checkRegion);
  if (
    stateRegion &&
    input.region &&
    partitionOf(stateRegion) !== partitionOf(input.region)
  ) {
    checker.add({
      field: 'stateRegion',
      value: stateRegion,
      rule: `must be in the same AWS partition as region "${input.region}"`,
    });
  }
}

/** A prefix of another repository would leave the roles trusting the wrong workflows. */
function checkSubjectPrefix(checker: InputChecker, input: GithubOidcInput) {
  const prefix = input.subjectPrefix;
  if (!prefix) return;
  if (input.untrusted) {
    checker.add({
      field: 'subjectPrefix',
      value: prefix,
      rule: 'must be empty with untrusted: true (the roles trust no workflow yet); give one or the other',
    });
    return;
  }
  const match = SUBJECT_PREFIX.exec(prefix);
  if (!match) {
    checker.add({
      field: 'subjectPrefix',
      value: prefix,
      rule: 'must be repo:OWNER/REPO or repo:OWNER@ID/REPO@ID (the subjectPrefix output of mlops:github-oidc:subject)',
    });
    return;
  }
  const named = `${match[1]}/${match[2]}`;
  const repository = `${input.githubOwner}/${input.githubRepo}`;
  if (named.toLowerCase() !== repository.toLowerCase()) {
    checker.add({
      field: 'subjectPrefix',
      value: prefix,
      rule: `must name the repository ${repository} (githubOwner/githubRepo), not ${named}`,
    });
  }
}

function validate(input: GithubOidcInput): void {
  const checker = new InputChecker()
    .check('githubHost', input.githubHost || undefined, checkGithubHost)
    .require('githubOwner', input.githubOwner)
    .check('githubOwner', input.githubOwner || undefined, checkGithubOwner)
    .require('githubRepo', input.githubRepo)
    .check('githubRepo', input.githubRepo || undefined, checkGithubRepo)
    .require('defaultBranch', input.defaultBranch)
    .check('defaultBranch', input.defaultBranch || undefined, checkBranch)
    .require('namePrefix', input.namePrefix)
    .check('namePrefix', input.namePrefix || undefined, checkNamePrefix)
    .awsTarget(input)
    .require('stateBucket', input.stateBucket)
    .check('stateBucket', input.stateBucket || undefined, checkBucketName)
    .require('stateKeyPrefix', input.stateKeyPrefix)
    .check(
      'stateKeyPrefix',
      input.stateKeyPrefix || undefined,
      prefix => checkStateKeyPrefix(prefix) ?? checkPolicySafeKey(prefix),
    )
    .check(
      'stateLockTable',
      input.stateLockTable || undefined,
      checkLockTableName,
    )
    .check('datasetUri', input.datasetUri || undefined, checkDatasetUri)
    .tags('tags', input.tags, MAX_REQUESTED_TAGS);
  if (input.tags && REPOSITORY_TAG in input.tags) {
    checker.add({
      field: `tags.${REPOSITORY_TAG}`,
      value: input.tags[REPOSITORY_TAG],
      rule: 'is set by the action itself from githubOwner and githubRepo',
    });
  }
  checkSubjectPrefix(checker, input);
  checkEnvironments(checker, input.environments);
  checkStateRegion(checker, input);
  checkRoleNameLength(checker, input);
  checker.throwIfInvalid();
}

/** The repository's host, lowercased; github.com when none is given. */
function githubHost(input: GithubOidcInput): string {
  return (input.githubHost || 'github.com').toLowerCase();
}

function ciRoleRequest(input: GithubOidcInput): CiRoleRequest {
  const host = githubHost(input);
  const onHost = host === 'github.com' ? '' : `${host}/`;
  return {
    // Off github.com the host is part of the name the roles are tagged with, so that
    // roles made for a github.com repository never trust a same-named one elsewhere.
    repository: `${onHost}${input.githubOwner}/${input.githubRepo}`,
    subjectPrefix: input.untrusted
      ? `${UNPUBLISHED_SUBJECT_PREFIX}:${input.githubOwner}/${input.githubRepo}`
      : input.subjectPrefix || `repo:${input.githubOwner}/${input.githubRepo}`,
    environments: input.environments,
    defaultBranch: input.defaultBranch,
    namePrefix: input.namePrefix,
    state: {
      bucket: input.stateBucket,
      keyPrefix: input.stateKeyPrefix,
      region: input.stateRegion || input.region,
      lockTable: input.stateLockTable || undefined,
    },
    dataset: input.datasetUri ? parseS3Uri(input.datasetUri) : undefined,
    tags: managedTags(input.tags),
  };
}

/** The platform's policies as ARNs in the target account, each with the config key that named it. */
function platformPolicies(
  settings: GithubCiSettings,
  scope: PolicyScope,
): { arns: CiRolePolicies; named: NamedPolicy[] } {
  const resolve = (ref: string) =>
    policyArn(ref, scope.partition, scope.accountId);
  const arns: CiRolePolicies = {
    permissionsBoundaryArn: settings.permissionsBoundary
      ? resolve(settings.permissionsBoundary)
      : undefined,
    terraform: [...new Set(settings.terraformRolePolicies.map(resolve))],
    plan: [
      ...new Set(
        settings.planRolePolicies?.map(resolve) ?? [
          readOnlyAccessArn(scope.partition),
        ],
      ),
    ],
  };
  const named: NamedPolicy[] = [
    ...(arns.permissionsBoundaryArn
      ? [{ configKey: 'permissionsBoundary', arn: arns.permissionsBoundaryArn }]
      : []),
    ...arns.terraform.map(arn => ({ configKey: 'terraformRolePolicies', arn })),
    ...arns.plan.map(arn => ({ configKey: 'planRolePolicies', arn })),
  ];
  return { arns, named };
}

function allRoles(roles: ReturnType<typeof desiredCiRoles>): DesiredRole[] {
  return [
    ...roles.terraform.map(t => t.role),
    roles.plan,
    ...(roles.training ? [roles.training] : []),
  ];
}

/**
 * Creates the `mlops:github-oidc:ensure` action: the account's OIDC provider
 * for the Actions tokens of the repository's GitHub instance (github.com,
 * GHE.com or GitHub Enterprise Server) and the CI roles of one repository (a Terraform role per
 * environment, a read-only plan role, a training-data role), under the
 * platform's permissions boundary, converging drift, with an honest dry run.
 * Reads AWS credentials, the optional emulator endpoint and the `mlops.github`
 * settings from `config`.
 *
 * @public
 */
export function createGithubOidcEnsureAction(options: { config: Config }) {
  return githubOidcEnsureAction(
    AwsClientFactory.fromConfig(options.config),
    options.config,
  );
}

/** The `mlops:github-oidc:ensure` action using the given (possibly shared) AWS client factory. */
export function githubOidcEnsureAction(
  clientFactory: AwsClientFactory,
  config: Config,
) {
  const action = createTemplateAction({
    id: 'mlops:github-oidc:ensure',
    description:
      "Ensures the account's OIDC provider for GitHub Actions (of github.com, GHE.com or GitHub Enterprise Server: githubHost) " +
      "and one repository's CI roles: a Terraform role per " +
      'environment trusted only by that GitHub environment, a read-only plan role for pull requests, and a ' +
      'training-data role, all under the permissions boundary named in mlops.github. Safe to run again: it converges drift.',
    examples,
    supportsDryRun: true,
    schema: { input: zodFields(inputs), output: zodFields(outputs) },
    async handler(ctx) {
      const { input } = ctx;
      validate(input);
      const settings = readGithubCiSettings(config);
      const request = ciRoleRequest(input);
      const issuer = githubOidcIssuer(
        githubHost(input),
        settings.enterpriseSlug,
      );
      const { region, namePrefix } = input;
      ctx.logger.info(
        `${
          ctx.isDryRun ? '[dry run] Checking' : 'Ensuring'
        } the CI roles of GitHub repository "${
          request.repository
        }" (${input.environments.join(', ')})`,
      );

      let accountId = input.accountId ?? '';
      const outputArns = () => {
        const scope = { partition: partitionOf(region), accountId };
        const arn = (name: string) => (accountId ? roleArn(scope, name) : '');
        ctx.output(
          'oidcProviderArn',
          accountId ? oidcProviderArn(scope.partition, accountId, issuer) : '',
        );
        ctx.output(
          'terraformRoleArns',
          Object.fromEntries(
            input.environments.map(env => [
              env,
              arn(terraformRoleName(namePrefix, env)),
            ]),
          ),
        );
        ctx.output('planRoleArn', arn(planRoleName(namePrefix)));
        ctx.output(
          'trainingRoleArn',
          request.dataset ? arn(trainingRoleName(namePrefix)) : '',
        );
        ctx.output(
          'permissionsBoundaryArn',
          accountId && settings.permissionsBoundary
            ? policyArn(
                settings.permissionsBoundary,
                scope.partition,
                accountId,
              )
            : '',
        );
      };

      const inspectAndPlan = async () => {
        const clients = await clientFactory.create({
          region,
          accountId: input.accountId,
        });
        accountId = await clients.resolveAccountId();
        const scope = { partition: partitionOf(region), accountId };
        const policies = platformPolicies(settings, scope);
        await assertPoliciesExist(clients.iam, policies.named, accountId);
        const provider = {
          arn: oidcProviderArn(scope.partition, accountId, issuer),
          issuer,
        };
        const roles = allRoles(
          desiredCiRoles(request, { ...scope, provider }, policies.arns),
        );
        const [providerState, ...roleStates] = await Promise.all([
          inspectOidcProvider(clients.iam, provider.arn),
          ...roles.map(role => inspectRole(clients.iam, role)),
        ]);
        return [
          ...planOidcProvider(clients.iam, providerState, {
            ...provider,
            accountId,
            mode: settings.oidcProvider,
            tags: MANAGED_BY_TAG,
          }),
          ...roles.flatMap((role, index) =>
            planRole(clients.iam, roleStates[index], role),
          ),
        ];
      };

      if (ctx.isDryRun) {
        const outcome = await inspectOrExplain(inspectAndPlan);
        outputArns();
        finishDryRun(
          ctx,
          'unknown' in outcome
            ? outcome.unknown
            : planLines(
                outcome.result,
                `GitHub OIDC provider and CI roles of "${request.repository}" match`,
              ),
        );
        return;
      }

      const changes = await inspectAndPlan();
      const { created, applied } = await applyChanges(
        ctx,
        changes,
        `mlops.github-oidc.${accountId}.${namePrefix}`,
      );
      outputArns();
      ctx.output('created', created);
      ctx.output('changes', applied);
    },
  });
  return withTitles(action, inputs, outputs);
}
