import { Check, checkS3BucketName } from './validation';

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const GITHUB_COM_SERVICE_HOST =
  /(?:^|\.)(?:github\.com|githubusercontent\.com)$/;
const GHE_COM_HOST = /(?:^|\.)ghe\.com$/;
const GHE_COM_ENTERPRISE = /^[a-z0-9-]+\.ghe\.com$/;
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
// git check-ref-format --branch, over characters that need no quoting in YAML,
// shells or workflows: the same rule as the template's defaultBranch field.
const BRANCH =
  /^(?!.*\.\.)(?!.*\/\/)(?!.*\/\.)(?!.*\.lock(\/|$))(?!.*[/.]$)[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
const NAME_PREFIX = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;
// No "*", "?" or "$": in a policy's ARN or s3:prefix they would be wildcards or variables.
const OBJECT_KEY = /^[A-Za-z0-9!_.'()=+,@ -]+(?:\/[A-Za-z0-9!_.'()=+,@ -]+)*$/;

/** IAM's limit on a role name. */
export const MAX_ROLE_NAME_LENGTH = 64;

/**
 * The host of a repository's GitHub, whose Actions OIDC issuer the roles
 * trust: github.com, an enterprise's `<subdomain>.ghe.com`, or a GitHub
 * Enterprise Server host.
 */
export const checkGithubHost: Check = value => {
  const host = value.toLowerCase();
  if (!HOST_NAME.test(host)) {
    return 'must be the host name of the GitHub instance (github.com, <subdomain>.ghe.com or a GitHub Enterprise Server host such as github.example.com), without scheme, port or path';
  }
  if (host !== 'github.com' && GITHUB_COM_SERVICE_HOST.test(host)) {
    return 'is a host of github.com, not a GitHub instance: give github.com';
  }
  if (GHE_COM_HOST.test(host) && !GHE_COM_ENTERPRISE.test(host)) {
    return "must be the enterprise's own host <subdomain>.ghe.com on GHE.com (not api.<subdomain>.ghe.com or another of its service hosts)";
  }
  return undefined;
};

export const checkGithubOwner: Check = owner =>
  GITHUB_OWNER.test(owner)
    ? undefined
    : 'must be a GitHub user or organisation name: 1 to 39 letters, digits and single hyphens, not starting or ending with a hyphen';

export const checkGithubRepo: Check = repo => {
  if (!GITHUB_REPO.test(repo) || repo === '.' || repo === '..') {
    return 'must be a GitHub repository name: 1 to 100 letters, digits, ".", "_" and "-", and not "." or ".."';
  }
  if (repo.toLowerCase().endsWith('.git')) {
    return 'must not end in ".git": GitHub drops it, so the token would name another repository';
  }
  return undefined;
};

export const checkBranch: Check = branch =>
  BRANCH.test(branch)
    ? undefined
    : 'must be a branch name of letters, digits and . _ / - starting with a letter or digit, with no "..", "//" or "/.", not ending in "/", "." or ".lock"';

export const checkEnvironmentName: Check = name =>
  ENVIRONMENT.test(name)
    ? undefined
    : 'must be 1 to 50 letters, digits, ".", "_" and "-", starting with a letter or digit (it becomes part of an IAM role name)';

export const checkNamePrefix: Check = prefix =>
  NAME_PREFIX.test(prefix)
    ? undefined
    : 'must be letters, digits and hyphens, starting and ending with a letter or digit';

/** `s3://bucket/key` split into its parts, or undefined when it is not one. */
export function parseS3Uri(
  uri: string,
): { bucket: string; key: string } | undefined {
  const match = S3_URI.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/** Object keys and prefixes that go into IAM policies verbatim. */
export const checkPolicySafeKey: Check = key => {
  if (
    !OBJECT_KEY.test(key) ||
    key.split('/').some(part => part === '.' || part === '..')
  ) {
    return 'must be path segments of letters, digits, spaces and !_.\'()=+,@- joined by single "/", with no "." or ".." segments and no "*", "?" or "$" (they would widen the IAM policy)';
  }
  return undefined;
};

export const checkDatasetUri: Check = uri => {
  const parsed = parseS3Uri(uri);
  if (!parsed) {
    return 'must be an S3 object URI such as "s3://bucket/path/to/data.csv"';
  }
  const bucketRule = checkS3BucketName(parsed.bucket);
  if (bucketRule) {
    return `names a bucket that ${bucketRule}`;
  }
  return checkPolicySafeKey(parsed.key);
};
