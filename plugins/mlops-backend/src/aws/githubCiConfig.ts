import { Config } from '@backstage/config';

/** Where the platform's CI-role settings live in app-config. */
export const GITHUB_CI_CONFIG_KEY = 'mlops.github';

/** Most managed policies IAM lets a role hold (the default quota is 10). */
const MAX_ATTACHED_POLICIES = 20;

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const POLICY_ARN =
  /^arn:aws[a-z-]*:iam::(?:\d{12}|aws):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;

/**
 * What a platform sets once for `mlops:github-oidc:ensure`. Policies are
 * customer-managed policy names (resolved in the target account) or ARNs.
 */
export interface GithubCiSettings {
  oidcProvider: 'create' | 'existing';
  /** Undefined only when `allowMissingPermissionsBoundary` is true and no boundary is named. */
  permissionsBoundary?: string;
  terraformRolePolicies: string[];
  /** Undefined: the partition's AWS-managed ReadOnlyAccess. */
  planRolePolicies?: string[];
  /** Set when the enterprise's github.com tokens come from its unique issuer URL. */
  enterpriseSlug?: string;
}

/** GitHub's enterprise slugs: lowercase letters and digits in hyphen-separated words. */
const ENTERPRISE_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function configKey(name: string): string {
  return `${GITHUB_CI_CONFIG_KEY}.${name}`;
}

function policyRefProblems(name: string, refs: string[]): string[] {
  const problems = refs
    .filter(ref => !POLICY_NAME.test(ref) && !POLICY_ARN.test(ref))
    .map(
      ref =>
        `${configKey(
          name,
        )} "${ref}" is neither a policy name nor a policy ARN (arn:aws:iam::<account or "aws">:policy/<name>)`,
    );
  if (refs.length > MAX_ATTACHED_POLICIES) {
    problems.push(
      `${configKey(name)} names ${
        refs.length
      } policies; IAM attaches at most ${MAX_ATTACHED_POLICIES} to a role`,
    );
  }
  return problems;
}

function oidcProviderMode(github: Config | undefined): {
  mode: GithubCiSettings['oidcProvider'];
  problems: string[];
} {
  const value = github?.getOptionalString('oidcProvider') ?? 'create';
  if (value === 'create' || value === 'existing') {
    return { mode: value, problems: [] };
  }
  return {
    mode: 'create',
    problems: [
      `${configKey(
        'oidcProvider',
      )} "${value}" must be "create" (Backstage creates the GitHub OIDC provider when it is missing) or "existing" (the platform made it)`,
    ],
  };
}

function boundaryProblems(
  boundary: string | undefined,
  allowMissing: boolean,
): string[] {
  if (boundary === undefined) {
    return allowMissing
      ? []
      : [
          `${configKey(
            'permissionsBoundary',
          )} is not set. Name the permissions boundary policy every CI role gets ` +
            `(a policy name in the target account, or its ARN), or set ${configKey(
              'allowMissingPermissionsBoundary',
            )}: true to create the roles without one`,
        ];
  }
  return policyRefProblems('permissionsBoundary', [boundary]);
}

function terraformPolicyProblems(policies: string[] | undefined): string[] {
  if (!policies || policies.length === 0) {
    return [
      `${configKey(
        'terraformRolePolicies',
      )} is not set. Name at least one policy (name or ARN) that holds the permissions ` +
        `the generated Terraform needs; the Terraform roles get those and nothing else`,
    ];
  }
  return policyRefProblems('terraformRolePolicies', policies);
}

function planPolicyProblems(policies: string[] | undefined): string[] {
  if (policies === undefined) {
    return [];
  }
  if (policies.length === 0) {
    return [
      `${configKey(
        'planRolePolicies',
      )} is empty, so the plan role could not read anything to plan. Name read-only policies, ` +
        `or remove the setting to use the AWS-managed ReadOnlyAccess`,
    ];
  }
  return policyRefProblems('planRolePolicies', policies);
}

function enterpriseSlugProblems(slug: string | undefined): string[] {
  if (slug === undefined || ENTERPRISE_SLUG.test(slug)) {
    return [];
  }
  return [
    `${configKey(
      'enterpriseSlug',
    )} "${slug}" must be the enterprise's slug as its URL spells it, https://github.com/enterprises/<slug> ` +
      '(lowercase letters, digits and hyphens); set it only when the enterprise has its unique OIDC issuer URL turned on',
  ];
}

/**
 * Reads `mlops.github.enterpriseSlug` alone, for actions that need the
 * tokens' issuer without the CI-role settings. Throws naming the key and the
 * fix when it is not a slug.
 */
export function readGithubEnterpriseSlug(config: Config): string | undefined {
  const slug = config.getOptionalString(configKey('enterpriseSlug'));
  const problems = enterpriseSlugProblems(slug);
  if (problems.length > 0) {
    throw new Error(`${problems[0]}. See the README, "Configuration".`);
  }
  return slug;
}

/**
 * Reads `mlops.github` and checks it, without calling AWS. Throws one error
 * naming every key that is wrong and how to fix it.
 */
export function readGithubCiSettings(config: Config): GithubCiSettings {
  const github = config.getOptionalConfig(GITHUB_CI_CONFIG_KEY);
  const oidcProvider = oidcProviderMode(github);
  const permissionsBoundary = github?.getOptionalString('permissionsBoundary');
  const allowMissing =
    github?.getOptionalBoolean('allowMissingPermissionsBoundary') ?? false;
  const terraformRolePolicies = github?.getOptionalStringArray(
    'terraformRolePolicies',
  );
  const planRolePolicies = github?.getOptionalStringArray('planRolePolicies');
  const enterpriseSlug = github?.getOptionalString('enterpriseSlug');
  const problems = [
    ...oidcProvider.problems,
    ...boundaryProblems(permissionsBoundary, allowMissing),
    ...terraformPolicyProblems(terraformRolePolicies),
    ...planPolicyProblems(planRolePolicies),
    ...enterpriseSlugProblems(enterpriseSlug),
  ];
  if (problems.length > 0) {
    throw new Error(
      `The app-config section ${GITHUB_CI_CONFIG_KEY} does not allow creating CI roles: ${problems.join(
        '; ',
      )}. See the README, "Configuration".`,
    );
  }
  return {
    oidcProvider: oidcProvider.mode,
    permissionsBoundary,
    terraformRolePolicies: terraformRolePolicies ?? [],
    planRolePolicies,
    enterpriseSlug,
  };
}
