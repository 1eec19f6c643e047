import {
  CreatePolicyCommand,
  EntityAlreadyExistsException,
  IAMClient,
} from '@aws-sdk/client-iam';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS } from './moto';

const BOUNDARY = 'ml-ci-boundary';
const TERRAFORM_POLICY = 'ml-ci-terraform';

/**
 * The `mlops.github` settings of the demo: the policies a platform creates once
 * and names in its config, here by the example names the demo seeds in moto.
 */
export const DEMO_GITHUB_CONFIG = {
  oidcProvider: 'create',
  permissionsBoundary: BOUNDARY,
  terraformRolePolicies: [TERRAFORM_POLICY],
};

// Example contents only: moto does not evaluate policies, and a platform
// writes its own to suit its accounts.
const POLICIES: Record<string, { description: string; statements: object[] }> =
  {
    [BOUNDARY]: {
      description:
        'Local demo: the most any CI role of an ML service may ever do',
      statements: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: [
            'iam:CreateUser',
            'iam:CreateAccessKey',
            'iam:CreateLoginProfile',
            'organizations:*',
            'account:*',
          ],
          Resource: '*',
        },
        {
          Effect: 'Deny',
          Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy'],
          Resource: `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/${BOUNDARY}`,
        },
      ],
    },
    [TERRAFORM_POLICY]: {
      description:
        "Local demo: what an ML service's Terraform manages (cluster, network, images, roles, state)",
      statements: [
        {
          Effect: 'Allow',
          Action: [
            'eks:*',
            'ec2:*',
            'ecr:*',
            'elasticloadbalancing:*',
            'iam:*Role*',
            'iam:*Policy*',
            'iam:*OpenIDConnectProvider*',
            'kms:*',
            'logs:*',
            's3:*',
          ],
          Resource: '*',
        },
      ],
    },
  };

/**
 * Creates the platform's CI policies in moto, as a platform engineer would
 * once per account: `mlops:github-oidc:ensure` refuses to create roles until
 * the policies its config names exist.
 */
export async function seedPlatformPolicies(endpoint: string): Promise<void> {
  const iam = new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
  });
  try {
    for (const [name, { description, statements }] of Object.entries(
      POLICIES,
    )) {
      await iam
        .send(
          new CreatePolicyCommand({
            PolicyName: name,
            Description: description,
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: statements,
            }),
          }),
        )
        .catch(error => {
          if (!(error instanceof EntityAlreadyExistsException)) {
            throw error;
          }
        });
    }
  } finally {
    iam.destroy();
  }
}
