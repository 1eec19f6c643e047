import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { githubAddress } from './githubAddress';
import { examples } from './localEnvironmentAction.examples';
import {
  describeVariables,
  LOCAL_DEMO,
  RecordedEnvironment,
  RecordedGitHubSettings,
} from './RecordedGitHubSettings';

/** GitHub's limits on an environment's protection rules. */
const MAX_REVIEWERS = 6;
const MAX_WAIT_TIMER_MINUTES = 43_200;

interface EnvironmentInput {
  deploymentBranchPolicy?: {
    protected_branches: boolean;
    custom_branch_policies: boolean;
  };
  customBranchPolicyNames?: string[];
  customTagPolicyNames?: string[];
  environmentVariables?: Record<string, string>;
  secrets?: Record<string, string>;
  waitTimer?: number;
  preventSelfReview?: boolean;
  reviewers?: string[];
}

/** The environment as GitHub would hold it; refuses what GitHub's API would refuse. */
export function recordedEnvironment(
  input: EnvironmentInput,
): RecordedEnvironment {
  const policy = input.deploymentBranchPolicy ?? null;
  if (policy && policy.protected_branches === policy.custom_branch_policies) {
    throw new InputError(
      'deploymentBranchPolicy: exactly one of protected_branches and custom_branch_policies must be true',
    );
  }
  const patterns = [
    ...(input.customBranchPolicyNames ?? []),
    ...(input.customTagPolicyNames ?? []),
  ];
  if (patterns.length > 0 && !policy?.custom_branch_policies) {
    throw new InputError(
      'customBranchPolicyNames and customTagPolicyNames need deploymentBranchPolicy.custom_branch_policies: true',
    );
  }
  const reviewers = input.reviewers ?? [];
  if (reviewers.length > MAX_REVIEWERS) {
    throw new InputError(
      `reviewers: GitHub takes at most ${MAX_REVIEWERS} reviewers per environment, got ${reviewers.length}`,
    );
  }
  const waitTimer = input.waitTimer ?? 0;
  if (waitTimer < 0 || waitTimer > MAX_WAIT_TIMER_MINUTES) {
    throw new InputError(
      `waitTimer: between 0 and ${MAX_WAIT_TIMER_MINUTES} minutes, got ${waitTimer}`,
    );
  }
  return {
    deploymentBranchPolicy: policy,
    customBranchPolicyNames: input.customBranchPolicyNames ?? [],
    customTagPolicyNames: input.customTagPolicyNames ?? [],
    variables: input.environmentVariables ?? {},
    secretNames: Object.keys(input.secrets ?? {}),
    reviewers,
    preventSelfReview: input.preventSelfReview ?? false,
    waitTimer,
  };
}

function describeBranches(environment: RecordedEnvironment): string {
  const policy = environment.deploymentBranchPolicy;
  if (!policy) {
    return 'deployments from any branch';
  }
  if (policy.protected_branches) {
    return 'deployments from protected branches only';
  }
  const patterns = [
    ...environment.customBranchPolicyNames.map(name => `branch ${name}`),
    ...environment.customTagPolicyNames.map(name => `tag ${name}`),
  ];
  return `deployments from ${patterns.join(', ') || 'no branch or tag yet'}`;
}

/** One line of what GitHub would have been asked to set. */
export function describeEnvironment(environment: RecordedEnvironment): string {
  const { variables, secretNames, reviewers } = environment;
  return [
    describeBranches(environment),
    describeVariables(variables),
    secretNames.length &&
      `secrets ${secretNames.join(', ')} (values not recorded)`,
    reviewers.length
      ? `required reviewers ${reviewers.join(', ')}`
      : 'no required reviewers',
    environment.preventSelfReview && 'self-review prevented',
    environment.waitTimer && `wait timer ${environment.waitTimer} min`,
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * `github:environment:create` for the local demo: records the environment
 * GitHub would have created beside the local repository (see
 * RecordedGitHubSettings) instead of calling GitHub. Re-creating an
 * environment replaces its record, as GitHub's create-or-update does.
 */
export function createLocalEnvironmentAction(options: {
  settings: RecordedGitHubSettings;
  integrations: ScmIntegrationRegistry;
}) {
  const { settings, integrations } = options;
  return createTemplateAction({
    id: 'github:environment:create',
    description:
      'Local demo stand-in for github:environment:create: records the deployment environment GitHub would have created, next to the local repository.',
    examples,
    schema: {
      input: {
        repoUrl: z =>
          z.string({
            description: 'Repository location, github.com?owner=o&repo=r',
          }),
        name: z =>
          z.string({ description: 'Name of the deployment environment' }),
        deploymentBranchPolicy: z =>
          z
            .object(
              {
                protected_branches: z.boolean({
                  description:
                    'Only branches with branch protection rules may deploy',
                }),
                custom_branch_policies: z.boolean({
                  description:
                    'Only branches and tags matching the custom patterns may deploy',
                }),
              },
              {
                description:
                  'Which branches may deploy; exactly one of the two is true. Unset: any branch.',
              },
            )
            .optional(),
        customBranchPolicyNames: z =>
          z
            .array(z.string(), {
              description: 'Branch name patterns that may deploy',
            })
            .optional(),
        customTagPolicyNames: z =>
          z
            .array(z.string(), {
              description: 'Tag name patterns that may deploy',
            })
            .optional(),
        environmentVariables: z =>
          z
            .record(z.string(), {
              description: 'Variables of the environment',
            })
            .optional(),
        secrets: z =>
          z
            .record(z.string(), {
              description:
                'Secrets of the environment (only their names are recorded)',
            })
            .optional(),
        token: z =>
          z.string({ description: 'GitHub token (unused locally)' }).optional(),
        waitTimer: z =>
          z
            .number({
              description: 'Minutes to wait before a deployment proceeds',
            })
            .optional(),
        preventSelfReview: z =>
          z
            .boolean({
              description:
                'Whether whoever triggered a deployment may not approve it',
            })
            .optional(),
        reviewers: z =>
          z
            .array(z.string(), {
              description:
                'Required reviewers, as Backstage entity references (users and groups)',
            })
            .optional(),
      },
    },
    async handler(ctx) {
      const address = githubAddress(ctx.input.repoUrl, integrations);
      const { name } = ctx.input;
      const environment = recordedEnvironment(ctx.input);
      ctx.logger.info(
        `${LOCAL_DEMO} would create environment ${name} in ${address.owner}/${
          address.repo
        } with ${describeEnvironment(environment)}; nothing ran`,
      );
      const record = await ctx.checkpoint({
        key: `local-environment-${address.host}-${address.owner}-${address.repo}-${name}`,
        fn: () =>
          settings.update(address, current => ({
            ...current,
            environments: { ...current.environments, [name]: environment },
          })),
      });
      ctx.logger.info(settings.describe(address, record));
    },
  });
}
