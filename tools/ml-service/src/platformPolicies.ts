import {
  CreatePolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  IAMClient,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { DRY_RUN_GITHUB_CONFIG } from './DryRunRenderer';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS } from '@internal/moto-server';

/** The services a generated stack is made of (network, cluster, registry, load balancer, logs). */
const SERVICE_STACK_ACTIONS = [
  'ec2:*',
  'eks:*',
  'ecr:*',
  'elasticloadbalancing:*',
  'autoscaling:*',
  'logs:*',
];

/**
 * What the roles the generated Terraform creates (under the boundary too) do
 * at run time beyond the stack's services, as their policies list them. A
 * boundary that leaves one out silently takes it from the role; the apply
 * against moto checks every such role's policies against the boundary
 * (verify/boundaryCoverage.ts).
 */
const ROLE_RUNTIME_ACTIONS = [
  // Nodes hand out Pod Identity credentials (AmazonEKSWorkerNodePolicy, AmazonEKSWorkerNodeMinimalPolicy).
  'eks-auth:AssumeRoleForPodIdentity',
  // The deploy role reads its load balancer certificate's chain for the smoke test; the load balancer
  // controller (and Auto Mode's, with the cluster role) finds and checks certificates.
  'acm:GetCertificate',
  'acm:DescribeCertificate',
  'acm:ListCertificates',
  // AWS's load balancer controller policy (and AmazonEKSLoadBalancingPolicy), for Ingress annotations
  // that attach a WAF web ACL, Shield protection or Cognito authentication.
  'wafv2:*',
  'waf-regional:*',
  'shield:*',
  'cognito-idp:DescribeUserPoolClient',
];

/**
 * The permissions boundary every CI role is created under: the services a
 * generated stack uses and what its roles do at run time, and no way out of
 * the boundary (no role created or changed without it, the boundary itself
 * left alone).
 */
function boundaryDocument(boundaryArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ServiceStack',
        Effect: 'Allow',
        Action: [
          ...SERVICE_STACK_ACTIONS,
          ...ROLE_RUNTIME_ACTIONS,
          's3:*',
          'dynamodb:*',
          // Terraform creates the buckets' and the cluster secrets' keys, the cluster role encrypts
          // Kubernetes secrets with its key, and the CI roles read and write the state under its
          // bucket's default SSE-KMS. Each role's own policy narrows this to its keys.
          'kms:*',
          'iam:*',
          'sts:GetCallerIdentity',
        ],
        Resource: '*',
      },
      {
        Sid: 'RolesOnlyUnderThisBoundary',
        Effect: 'Deny',
        Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
        Resource: '*',
        Condition: {
          StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn },
        },
      },
      {
        // Acts on roles, so it is denied on every role: a Resource naming the boundary policy would
        // never match it.
        Sid: 'NoRoleLeavesTheBoundary',
        Effect: 'Deny',
        Action: 'iam:DeleteRolePermissionsBoundary',
        Resource: '*',
      },
      {
        Sid: 'KeepTheBoundary',
        Effect: 'Deny',
        Action: [
          'iam:CreatePolicyVersion',
          'iam:SetDefaultPolicyVersion',
          'iam:DeletePolicy',
        ],
        Resource: boundaryArn,
      },
    ],
  };
}

/**
 * The service-linked roles EKS creates with its caller's permission when an account gets its first
 * cluster, managed node group or Fargate profile. The others the stack needs are created with
 * other roles' permissions: autoscaling.amazonaws.com by EKS's node group service-linked role
 * (AWSServiceRoleForAmazonEKSNodegroup), elasticloadbalancing.amazonaws.com by the cluster role
 * (AmazonEKSClusterPolicy, Auto Mode's AmazonEKSLoadBalancingPolicy) or the load balancer
 * controller's, spot.amazonaws.com by Auto Mode's cluster role (AmazonEKSComputePolicy); the
 * boundary allows them `iam:*`.
 */
const EKS_SERVICE_LINKED_ROLES = [
  'eks.amazonaws.com',
  'eks-nodegroup.amazonaws.com',
  'eks-fargate.amazonaws.com',
];

/** What a service's Terraform role may do: build the service's stack and roles under the boundary. */
function terraformDocument(boundaryArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ServiceStack',
        Effect: 'Allow',
        Action: [
          ...SERVICE_STACK_ACTIONS,
          // The buckets and their keys (the README's list: VPC, EKS, IAM roles, S3, KMS, logs).
          's3:*',
          'kms:*',
          'iam:Get*',
          'iam:List*',
          'iam:TagRole',
          'iam:UntagRole',
          // A changed description or maximum session duration of a role Terraform made.
          'iam:UpdateRoleDescription',
          'iam:UpdateRole',
          'iam:DeleteRole',
          'iam:AttachRolePolicy',
          'iam:DetachRolePolicy',
          'iam:PutRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:UpdateAssumeRolePolicy',
          'iam:PassRole',
          'iam:CreatePolicy',
          'iam:CreatePolicyVersion',
          'iam:DeletePolicy',
          'iam:DeletePolicyVersion',
          'iam:TagPolicy',
          'iam:UntagPolicy',
        ],
        Resource: '*',
      },
      {
        // The cluster's IAM OIDC provider for IRSA (modules/eks/iam.tf: compute_mode fargate always,
        // else cluster_enable_irsa), as hashicorp/aws creates (tags on create), updates and deletes
        // it. Only EKS issuers': not the account's GitHub provider, which the CI roles trust.
        Sid: 'ClusterOidcProvider',
        Effect: 'Allow',
        Action: [
          'iam:CreateOpenIDConnectProvider',
          'iam:DeleteOpenIDConnectProvider',
          'iam:TagOpenIDConnectProvider',
          'iam:UntagOpenIDConnectProvider',
          'iam:UpdateOpenIDConnectProviderThumbprint',
          'iam:AddClientIDToOpenIDConnectProvider',
          'iam:RemoveClientIDFromOpenIDConnectProvider',
        ],
        Resource: 'arn:aws:iam::*:oidc-provider/oidc.eks.*',
      },
      {
        Sid: 'EksServiceLinkedRoles',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        Condition: {
          StringEquals: { 'iam:AWSServiceName': EKS_SERVICE_LINKED_ROLES },
        },
      },
      {
        Sid: 'RolesUnderTheBoundary',
        Effect: 'Allow',
        Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
        Resource: '*',
        Condition: {
          StringEquals: { 'iam:PermissionsBoundary': boundaryArn },
        },
      },
    ],
  };
}

/** The plan role's policy when the config names none, as AWS provides it in every account. */
const PLAN_ROLE_DEFAULT_POLICY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

/** The action refuses to run without the plan role's default policy, which only AWS (or moto) provides. */
async function requireAwsManagedPolicies(iam: IAMClient, endpoint: string) {
  await iam
    .send(new GetPolicyCommand({ PolicyArn: PLAN_ROLE_DEFAULT_POLICY }))
    .catch(error => {
      throw error instanceof NoSuchEntityException
        ? new Error(
            `${endpoint} has no ${PLAN_ROLE_DEFAULT_POLICY}, the plan role's default policy: ` +
              'start moto with MOTO_IAM_LOAD_MANAGED_POLICIES=true so that it holds the AWS-managed policies',
          )
        : error;
    });
}

/**
 * Creates in moto the two policies DRY_RUN_GITHUB_CONFIG names, which a
 * platform creates once and mlops:github-oidc:ensure refuses to run without,
 * after checking moto holds the AWS-managed ones (the plan role's default).
 * They land in the account moto answers for with any credentials
 * (MOTO_ACCOUNT_ID, or `accountId` for a moto started with another one).
 * Returns their ARNs; a policy already there is kept.
 */
export async function seedPlatformPolicies(
  endpoint: string,
  options: { accountId?: string } = {},
): Promise<string[]> {
  const iam = new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
  });
  const policyArn = (name: string) =>
    `arn:aws:iam::${options.accountId ?? MOTO_ACCOUNT_ID}:policy/${name}`;
  const boundaryArn = policyArn(DRY_RUN_GITHUB_CONFIG.permissionsBoundary);
  const policies: Array<[string, object]> = [
    [DRY_RUN_GITHUB_CONFIG.permissionsBoundary, boundaryDocument(boundaryArn)],
    ...DRY_RUN_GITHUB_CONFIG.terraformRolePolicies.map(
      (name): [string, object] => [name, terraformDocument(boundaryArn)],
    ),
  ];
  try {
    await requireAwsManagedPolicies(iam, endpoint);
    for (const [name, document] of policies) {
      await iam
        .send(
          new CreatePolicyCommand({
            PolicyName: name,
            PolicyDocument: JSON.stringify(document),
            Description: 'Platform policy for the CI roles of ML services',
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
  return policies.map(([name]) => policyArn(name));
}
