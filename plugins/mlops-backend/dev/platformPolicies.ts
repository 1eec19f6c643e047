import { CreatePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { MOTO_CREDENTIALS } from '@internal/moto-server';

/**
 * The `mlops.github` settings a platform sets once (README, "Configuration"),
 * naming the two policies {@link seedPlatformPolicies} creates.
 */
export const PLATFORM_GITHUB_CONFIG = {
  oidcProvider: 'create',
  permissionsBoundary: 'ml-ci-boundary',
  terraformRolePolicies: ['ml-ci-terraform'],
};

/** Creates in moto the customer-managed policies the platform names in config. */
export async function seedPlatformPolicies(
  endpoint: string,
  names: string[] = ['ml-ci-boundary', 'ml-ci-terraform'],
): Promise<void> {
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint,
    credentials: MOTO_CREDENTIALS,
  });
  try {
    for (const PolicyName of names) {
      await iam.send(
        new CreatePolicyCommand({
          PolicyName,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
          }),
        }),
      );
    }
  } finally {
    iam.destroy();
  }
}
