import { IAMClient } from '@aws-sdk/client-iam';
import { ConfigReader } from '@backstage/config';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import {
  PLATFORM_GITHUB_CONFIG,
  seedPlatformPolicies,
} from '../../dev/platformPolicies';
import { motoConfig } from './actionHarness';

export { PLATFORM_GITHUB_CONFIG, seedPlatformPolicies };

/** A moto server whose IAM knows the AWS-managed policies (ReadOnlyAccess is the plan role's default). */
export function startIamMoto(): Promise<MotoServer> {
  return startMotoServer({ awsManagedPolicies: true });
}

export function iamClient(endpoint: string): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    endpoint,
    credentials: MOTO_CREDENTIALS,
  });
}

/** app-config for moto plus the given `mlops.github` settings (null: none). */
export function motoGithubConfig(
  endpoint: string,
  github: Record<string, unknown> | null = PLATFORM_GITHUB_CONFIG,
): ConfigReader {
  const base = motoConfig(endpoint).get() as Record<string, any>;
  return new ConfigReader({
    ...base,
    mlops: { ...base.mlops, ...(github && { github }) },
  });
}

const IAM_RESOURCES = ['Role', 'ManagedPolicy', 'OpenIDConnectProvider'];

/**
 * Every role, customer-managed policy and OIDC provider moto holds: equal
 * snapshots mean nothing in IAM changed. (The AWS-managed policies are left
 * out: they are many and fixed.)
 */
export async function iamSnapshot(
  endpoint: string,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${endpoint}/moto-api/data.json`);
  const iam = ((await res.json()) as Record<string, Record<string, unknown>>)
    .iam;
  return Object.fromEntries(
    IAM_RESOURCES.map(kind => [kind, iam?.[kind] ?? []]),
  );
}
