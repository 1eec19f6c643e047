import { GetPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { NotFoundError } from '@backstage/errors';
import { isAwsError } from './awsErrors';
import { GITHUB_CI_CONFIG_KEY } from './githubCiConfig';

/** A policy the platform named in config, and the key that named it. */
export interface NamedPolicy {
  configKey: string;
  arn: string;
}

/** A policy name means a customer-managed policy of the target account. */
export function policyArn(
  ref: string,
  partition: string,
  accountId: string,
): string {
  return ref.startsWith('arn:')
    ? ref
    : `arn:${partition}:iam::${accountId}:policy/${ref}`;
}

/** The AWS-managed policy the plan role gets when config names none. */
export function readOnlyAccessArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/ReadOnlyAccess`;
}

/** The name at the end of a policy ARN, for short plan lines. */
export function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function isNoSuchEntity(error: unknown): boolean {
  return isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity');
}

async function policyExists(iam: IAMClient, arn: string): Promise<boolean> {
  try {
    await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    return true;
  } catch (error) {
    if (isNoSuchEntity(error)) {
      return false;
    }
    throw error;
  }
}

/**
 * Checks that every policy config names exists, so that no role is created
 * only to fail when a policy is attached. Read-only.
 */
export async function assertPoliciesExist(
  iam: IAMClient,
  policies: NamedPolicy[],
  accountId: string,
): Promise<void> {
  const unique = [
    ...new Map(policies.map(p => [`${p.configKey} ${p.arn}`, p])).values(),
  ];
  const found = await Promise.all(unique.map(p => policyExists(iam, p.arn)));
  const missing = unique.filter((_, index) => !found[index]);
  if (missing.length === 0) {
    return;
  }
  const list = missing
    .map(p => `${GITHUB_CI_CONFIG_KEY}.${p.configKey}: ${p.arn}`)
    .join('; ');
  throw new NotFoundError(
    `Policies named in app-config do not exist in AWS account ${accountId}: ${list}. ` +
      `Create them in that account (the platform provides them once), or fix those keys in app-config. Nothing was changed.`,
  );
}
