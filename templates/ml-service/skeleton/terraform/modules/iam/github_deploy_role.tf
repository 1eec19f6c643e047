# Role assumed by GitHub Actions (OIDC) to release the service into this
# environment: push the image, reach the cluster, read and write the service's
# buckets. Terraform creates it; it does not run Terraform in the generated
# workflows (the environment's Terraform role, made by the Backstage template
# before the first push, applies), so terraform_access defaults to "none" in
# the environment roots.
#
# Trust: only jobs that run in this environment's GitHub environment
# (subject <github_subject_prefix>:environment:<env>), so the environment's
# protection rules (required reviewers, branch policy) gate every use of it.
# A job on the default branch without `environment:` cannot assume it. The
# prefix is repo:<owner>/<repo>, or repo:<owner>@<id>/<repo>@<id> where GitHub
# mints immutable subject claims (repositories created since mid-2026); the
# workflows read it from their own token (.github/scripts/oidc_subject_prefix.sh),
# as they read its issuer (github_oidc_issuer): the condition keys are the
# issuer's, token.actions.githubusercontent.com/<slug> for an enterprise with
# its unique issuer URL.

locals {
  github_oidc_url          = "https://${var.github_oidc_issuer}"
  github_oidc_provider_arn = data.aws_iam_openid_connect_provider.github.arn

  github_subjects = ["${var.github_subject_prefix}:environment:${var.github_environment}"]
  # owner/repo, for people: the prefix without "repo:" and the IDs of immutable subject claims.
  github_repository = replace(trimprefix(var.github_subject_prefix, "repo:"), "/@[0-9]+/", "")

  # --- Terraform state --------------------------------------------------------
  state_bucket_arn = "arn:${local.partition}:s3:::${var.state_bucket}"
  state_object_arn = "${local.state_bucket_arn}/${var.state_key}"
  state_lock_arn   = "${local.state_bucket_arn}/${var.state_key}.tflock"
  # terraform init lists "<workspace_key_prefix>/" to discover workspaces.
  state_list_prefixes = [
    var.state_key,
    "${var.state_key}.tflock",
    "${var.state_workspace_key_prefix}/",
    "${var.state_workspace_key_prefix}/*",
  ]

  # --- Stack resources (for Terraform plan/apply) ------------------------------
  cluster_sub_arns = var.cluster_name == null ? [] : [
    local.cluster_arn,
    "arn:${local.partition}:eks:${local.region}:${local.account}:nodegroup/${var.cluster_name}/*",
    "arn:${local.partition}:eks:${local.region}:${local.account}:addon/${var.cluster_name}/*",
    "arn:${local.partition}:eks:${local.region}:${local.account}:access-entry/${var.cluster_name}/*",
    "arn:${local.partition}:eks:${local.region}:${local.account}:podidentityassociation/${var.cluster_name}/*",
    "arn:${local.partition}:eks:${local.region}:${local.account}:fargateprofile/${var.cluster_name}/*",
  ]
  # Access entry ARNs name the principal as role/<its account>/<role name, without path>/<id>. On a
  # shared cluster this stack makes the deploy role's entry only (Backstage's is the platform's, once).
  own_access_entry_arns = [
    "arn:${local.partition}:eks:${local.region}:${local.account}:access-entry/${coalesce(var.cluster_name, "-")}/role/${local.account}/${var.name_prefix}-github-deploy/*",
  ]
  pod_identity_association_arns = "arn:${local.partition}:eks:${local.region}:${local.account}:podidentityassociation/${coalesce(var.cluster_name, "-")}/*"
  pod_identity_arns             = var.cluster_name == null ? [] : [local.cluster_arn, local.pod_identity_association_arns]
  managed_bucket_arns           = [for b in var.managed_bucket_names : "arn:${local.partition}:s3:::${b}"]
  log_group_names = concat(
    ["/aws/vpc-flow-logs/${var.name_prefix}"],
    var.manage_cluster && var.cluster_name != null ? ["/aws/eks/${var.cluster_name}/cluster"] : [],
  )
  # Older CloudWatch Logs actions authorize "<arn>:*", newer ones the bare ARN.
  log_group_arns = flatten([
    for n in local.log_group_names : [
      "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${n}",
      "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${n}:*",
    ]
  ])
  stack_role_arns = concat(
    ["arn:${local.partition}:iam::${local.account}:role/${var.name_prefix}-*"],
    var.manage_cluster && var.cluster_name != null ? ["arn:${local.partition}:iam::${local.account}:role/${var.cluster_name}-eks-*"] : [],
  )
  node_role_arn = var.manage_cluster && var.cluster_name != null ? "arn:${local.partition}:iam::${local.account}:role/${var.cluster_name}-eks-node" : null

  # --- CI data access -----------------------------------------------------------
  ci_read_bucket_arns  = [for b in distinct(concat(var.ci_read_bucket_names, var.ci_write_bucket_names)) : "arn:${local.partition}:s3:::${b}"]
  ci_write_bucket_arns = [for b in var.ci_write_bucket_names : "arn:${local.partition}:s3:::${b}"]
  dataset_bucket       = var.dataset_uri == "" ? "" : split("/", trimprefix(var.dataset_uri, "s3://"))[0]
  dataset_object_arn   = var.dataset_uri == "" ? "" : "arn:${local.partition}:s3:::${trimprefix(var.dataset_uri, "s3://")}"
}

# --- OIDC provider -------------------------------------------------------------

# One per account, shared by every repository: made by the Backstage template's
# mlops:github-oidc:ensure action or by the platform, never by this stack.
data "aws_iam_openid_connect_provider" "github" {
  url = local.github_oidc_url
}

# --- Role ------------------------------------------------------------------------

resource "aws_iam_role" "deploy" {
  name                 = "${var.name_prefix}-github-deploy"
  description          = "GitHub Actions deploy role of ${local.github_repository} (${var.github_environment})."
  max_session_duration = var.deploy_role_max_session_seconds
  permissions_boundary = var.permissions_boundary_arn

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActionsOidc"
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${var.github_oidc_issuer}:aud" = "sts.amazonaws.com"
          "${var.github_oidc_issuer}:sub" = local.github_subjects
        }
      }
    }]
  })

  tags = var.tags
}

# --- Policy: Terraform state -------------------------------------------------------

resource "aws_iam_policy" "deploy_state" {
  name        = "${var.name_prefix}-deploy-state"
  description = "Terraform state ${var.state_bucket}/${var.state_key} and its lock file."

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid       = "ListStatePrefix"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = local.state_bucket_arn
          Condition = { StringLike = { "s3:prefix" = local.state_list_prefixes } }
        },
        {
          Sid      = "StateAndLockObjects"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
          Resource = [local.state_object_arn, local.state_lock_arn]
        },
        {
          # SSE-KMS state bucket (any key): only through S3, only for this bucket.
          Sid      = "StateEncryption"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
          Resource = "*"
          Condition = {
            StringEquals = { "kms:ViaService" = "s3.${var.state_region}.amazonaws.com" }
            StringLike = {
              "kms:EncryptionContext:aws:s3:arn" = [local.state_bucket_arn, local.state_object_arn, local.state_lock_arn]
            }
          }
        },
      ],
      [for s in [
        {
          Sid      = "StateLockTable"
          Effect   = "Allow"
          Action   = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
          Resource = "arn:${local.partition}:dynamodb:${var.state_region}:${local.account}:table/${var.state_lock_table}"
          Condition = {
            "ForAllValues:StringEquals" = {
              "dynamodb:LeadingKeys" = ["${var.state_bucket}/${var.state_key}", "${var.state_bucket}/${var.state_key}-md5"]
            }
          }
        },
      ] : s if var.state_lock_table != ""],
    )
  })

  tags = var.tags
}

# --- Policy: release (image, cluster, model artefacts) -------------------------------

resource "aws_iam_policy" "deploy_release" {
  name        = "${var.name_prefix}-deploy-release"
  description = "Push ${var.ecr_repository_name}, reach the cluster, read/write the service's model artefacts."

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "EcrLogin"
          Effect   = "Allow"
          Action   = ["ecr:GetAuthorizationToken"]
          Resource = "*"
        },
        {
          Sid    = "EcrPushOneRepository"
          Effect = "Allow"
          Action = [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:CompleteLayerUpload",
            "ecr:DescribeImages",
            "ecr:DescribeRepositories",
            "ecr:GetDownloadUrlForLayer",
            "ecr:InitiateLayerUpload",
            "ecr:ListImages",
            "ecr:ListTagsForResource",
            "ecr:PutImage",
            "ecr:UploadLayerPart",
          ]
          Resource = local.ecr_repository_arn
        },
      ],
      [for s in [
        {
          Sid      = "DescribeOneCluster"
          Effect   = "Allow"
          Action   = ["eks:DescribeCluster"]
          Resource = local.cluster_arn
        },
        {
          # The cluster's VPC range, for the NetworkPolicy (no resource-level permissions).
          Sid      = "DescribeClusterVpc"
          Effect   = "Allow"
          Action   = ["ec2:DescribeVpcs"]
          Resource = "*"
        },
      ] : s if var.cluster_name != null],
      [for s in [
        {
          Sid      = "ListServiceBuckets"
          Effect   = "Allow"
          Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
          Resource = local.ci_read_bucket_arns
        },
        {
          Sid      = "ReadServiceObjects"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:GetObjectVersion"]
          Resource = [for b in local.ci_read_bucket_arns : "${b}/*"]
        },
      ] : s if length(local.ci_read_bucket_arns) > 0],
      [for s in [
        {
          Sid      = "WriteServiceObjects"
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:AbortMultipartUpload"]
          Resource = [for b in local.ci_write_bucket_arns : "${b}/*"]
        },
      ] : s if length(local.ci_write_bucket_arns) > 0],
      [for s in [
        {
          Sid      = "ServiceBucketsEncryption"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = var.bucket_kms_key_arn
          Condition = {
            StringEquals = { "kms:ViaService" = "s3.${var.aws_region}.amazonaws.com" }
          }
        },
      ] : s if var.bucket_kms_key_arn != null],
      [for s in [
        {
          Sid      = "ReadDataset"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:GetObjectVersion"]
          Resource = local.dataset_object_arn
        },
        {
          Sid      = "DecryptDataset"
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = "*"
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.*.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["arn:${local.partition}:s3:::${local.dataset_bucket}", local.dataset_object_arn]
            }
          }
        },
      ] : s if var.dataset_uri != ""],
      [for s in [
        {
          # The smoke test trusts the certificate's chain (a private CA's root is in no trust store).
          Sid      = "ReadLoadBalancerCertificateChain"
          Effect   = "Allow"
          Action   = ["acm:GetCertificate"]
          Resource = var.certificate_arn
        },
      ] : s if var.certificate_arn != ""],
    )
  })

  tags = var.tags
}

# --- Policy: Terraform plan / apply of this stack -----------------------------------

locals {
  terraform_read_statements = concat(
    [
      {
        # Describe/List calls that support no resource-level permissions.
        Sid    = "TerraformDescribe"
        Effect = "Allow"
        Action = [
          "ec2:Describe*",
          "eks:DescribeAddonConfiguration",
          "eks:DescribeAddonVersions",
          "eks:ListClusters",
          "iam:ListOpenIDConnectProviders",
          "kms:ListAliases",
          "logs:DescribeLogGroups",
        ]
        Resource = "*"
      },
      {
        Sid    = "TerraformReadIam"
        Effect = "Allow"
        Action = [
          "iam:GetOpenIDConnectProvider",
          "iam:GetPolicy",
          "iam:GetPolicyVersion",
          "iam:GetRole",
          "iam:GetRolePolicy",
          "iam:ListAttachedRolePolicies",
          "iam:ListInstanceProfilesForRole",
          "iam:ListOpenIDConnectProviderTags",
          "iam:ListPolicyTags",
          "iam:ListPolicyVersions",
          "iam:ListRolePolicies",
          "iam:ListRoleTags",
        ]
        Resource = concat(local.stack_role_arns, [
          "arn:${local.partition}:iam::${local.account}:policy/${var.name_prefix}-*",
          "arn:${local.partition}:iam::${local.account}:oidc-provider/*",
        ])
      },
      {
        Sid      = "TerraformReadKms"
        Effect   = "Allow"
        Action   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
        Resource = "arn:${local.partition}:kms:${local.region}:${local.account}:key/*"
        Condition = {
          StringEquals = { "aws:ResourceTag/service" = var.service_name }
        }
      },
      {
        Sid      = "TerraformReadEcr"
        Effect   = "Allow"
        Action   = ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource"]
        Resource = local.ecr_repository_arn
      },
      {
        Sid      = "TerraformReadLogs"
        Effect   = "Allow"
        Action   = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
        Resource = local.log_group_arns
      },
    ],
    [for s in [
      {
        Sid      = "TerraformReadEks"
        Effect   = "Allow"
        Action   = ["eks:Describe*", "eks:List*"]
        Resource = var.manage_cluster ? local.cluster_sub_arns : local.pod_identity_arns
      },
    ] : s if var.cluster_name != null],
    [for s in [
      {
        # The access entries this stack makes on the shared cluster: the deploy role's own and
        # Backstage's; none of anyone else.
        Sid      = "TerraformReadOwnAccessEntry"
        Effect   = "Allow"
        Action   = ["eks:DescribeAccessEntry", "eks:ListAssociatedAccessPolicies"]
        Resource = local.own_access_entry_arns
      },
    ] : s if !var.manage_cluster && var.cluster_name != null],
    [for s in [
      {
        Sid    = "TerraformReadBuckets"
        Effect = "Allow"
        Action = [
          "s3:GetAccelerateConfiguration",
          "s3:GetBucket*",
          "s3:GetEncryptionConfiguration",
          "s3:GetLifecycleConfiguration",
          "s3:GetReplicationConfiguration",
          "s3:ListBucket",
        ]
        Resource = local.managed_bucket_arns
      },
    ] : s if length(local.managed_bucket_arns) > 0],
  )

  terraform_write_statements = concat(
    [
      {
        Sid      = "TerraformLogGroups"
        Effect   = "Allow"
        Action   = ["logs:PutRetentionPolicy", "logs:TagLogGroup", "logs:TagResource", "logs:UntagLogGroup", "logs:UntagResource"]
        Resource = local.log_group_arns
      },
    ],
    [for s in [
      {
        Sid      = "TerraformBucketSettings"
        Effect   = "Allow"
        Action   = ["s3:PutBucketTagging", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration"]
        Resource = local.managed_bucket_arns
      },
    ] : s if length(local.managed_bucket_arns) > 0],
    [for s in [
      {
        Sid      = "TerraformEcrSettings"
        Effect   = "Allow"
        Action   = ["ecr:PutImageScanningConfiguration", "ecr:PutLifecyclePolicy", "ecr:TagResource", "ecr:UntagResource"]
        Resource = local.ecr_repository_arn
      },
    ] : s if var.manage_ecr_repository],
    [for s in [
      # Pod Identity associations on a shared cluster: only this service's.
      # An association ARN (podidentityassociation/<cluster>/<id>) says nothing
      # about its owner, so ownership is the `service` tag, and the tag itself
      # must be guarded: were eks:TagResource allowed on any association whose
      # *request* carries service = <this service>, the role could re-tag
      # another service's association and then update or delete it under the
      # resource-tag rule below. Hence:
      # - create: on the cluster, only with the request tag service = this service;
      # - tag on create: tags passed to CreatePodIdentityAssociation are also
      #   authorised as eks:TagResource on the new association. It has no tags
      #   yet, so the first TagResource statement allows setting service = ours
      #   only where the association carries no `service` tag at all (Null);
      #   should EKS present the requested tags as the resource's, the second
      #   one matches instead. Neither matches another service's association;
      # - re-tag: only associations already tagged service = this service, and
      #   the `service` tag may not be changed to another value or removed.
      # An association the platform made without any `service` tag could still
      # be claimed through the tag-on-create rule; tag those (any value).
      {
        Sid      = "TerraformCreatePodIdentityAssociation"
        Effect   = "Allow"
        Action   = ["eks:CreatePodIdentityAssociation"]
        Resource = local.cluster_arn
        Condition = {
          StringEquals = { "aws:RequestTag/service" = var.service_name }
        }
      },
      {
        Sid      = "TerraformTagNewPodIdentityAssociation"
        Effect   = "Allow"
        Action   = ["eks:TagResource"]
        Resource = local.pod_identity_association_arns
        Condition = {
          StringEquals = { "aws:RequestTag/service" = var.service_name }
          Null         = { "aws:ResourceTag/service" = "true" }
        }
      },
      {
        Sid      = "TerraformRetagOwnPodIdentityAssociation"
        Effect   = "Allow"
        Action   = ["eks:TagResource"]
        Resource = local.pod_identity_association_arns
        Condition = {
          StringEquals         = { "aws:ResourceTag/service" = var.service_name }
          StringEqualsIfExists = { "aws:RequestTag/service" = var.service_name }
        }
      },
      {
        Sid      = "TerraformChangeOwnPodIdentityAssociation"
        Effect   = "Allow"
        Action   = ["eks:DeletePodIdentityAssociation", "eks:UpdatePodIdentityAssociation"]
        Resource = local.pod_identity_association_arns
        Condition = {
          StringEquals = { "aws:ResourceTag/service" = var.service_name }
        }
      },
      {
        Sid      = "TerraformUntagOwnPodIdentityAssociation"
        Effect   = "Allow"
        Action   = ["eks:UntagResource"]
        Resource = local.pod_identity_association_arns
        Condition = {
          StringEquals                   = { "aws:ResourceTag/service" = var.service_name }
          "ForAllValues:StringNotEquals" = { "aws:TagKeys" = ["service"] }
        }
      },
      {
        Sid      = "PassServiceRoleToPodIdentity"
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = "arn:${local.partition}:iam::${local.account}:role/${var.name_prefix}-service"
        Condition = {
          StringEquals = { "iam:PassedToService" = "pods.eks.amazonaws.com" }
        }
      },
    ] : s if var.cluster_name != null],
    [for s in [
      {
        # Only on the cluster this stack owns; never on a shared cluster.
        Sid    = "TerraformClusterUpdates"
        Effect = "Allow"
        Action = [
          "eks:AssociateAccessPolicy",
          "eks:CreateAccessEntry",
          "eks:CreateAddon",
          "eks:CreateNodegroup",
          "eks:DeleteAccessEntry",
          "eks:DeleteAddon",
          "eks:DeleteNodegroup",
          "eks:DisassociateAccessPolicy",
          "eks:TagResource",
          "eks:UntagResource",
          "eks:UpdateAccessEntry",
          "eks:UpdateAddon",
          "eks:UpdateClusterConfig",
          "eks:UpdateClusterVersion",
          "eks:UpdateNodegroupConfig",
          "eks:UpdateNodegroupVersion",
        ]
        Resource = local.cluster_sub_arns
      },
      {
        Sid      = "PassNodeRoleToEks"
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = local.node_role_arn
        Condition = {
          StringEquals = { "iam:PassedToService" = "eks.amazonaws.com" }
        }
      },
      {
        Sid      = "TerraformCreateLaunchTemplate"
        Effect   = "Allow"
        Action   = ["ec2:CreateLaunchTemplate"]
        Resource = "*"
        Condition = {
          StringEquals = { "aws:RequestTag/service" = var.service_name }
        }
      },
      {
        Sid      = "TerraformTagNewLaunchTemplate"
        Effect   = "Allow"
        Action   = ["ec2:CreateTags"]
        Resource = "arn:${local.partition}:ec2:${local.region}:${local.account}:launch-template/*"
        Condition = {
          StringEquals = { "ec2:CreateAction" = "CreateLaunchTemplate" }
        }
      },
      {
        Sid      = "TerraformUpdateLaunchTemplates"
        Effect   = "Allow"
        Action   = ["ec2:CreateLaunchTemplateVersion", "ec2:DeleteLaunchTemplate", "ec2:DeleteLaunchTemplateVersions", "ec2:ModifyLaunchTemplate"]
        Resource = "arn:${local.partition}:ec2:${local.region}:${local.account}:launch-template/*"
        Condition = {
          StringEquals = { "aws:ResourceTag/service" = var.service_name }
        }
      },
    ] : s if local.node_role_arn != null],
  )
}

# Two policies: a managed policy may hold at most 6,144 characters.
resource "aws_iam_policy" "deploy_terraform_read" {
  count = var.terraform_access == "none" ? 0 : 1

  name        = "${var.name_prefix}-deploy-terraform-read"
  description = "Read-only access for terraform plan of the ${var.name_prefix} stack."

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.terraform_read_statements
  })

  tags = var.tags
}

resource "aws_iam_policy" "deploy_terraform_write" {
  count = var.terraform_access == "apply" ? 1 : 0

  name        = "${var.name_prefix}-deploy-terraform-write"
  description = "Scoped routine writes for terraform apply of the ${var.name_prefix} stack (no IAM, KMS, VPC or bucket-policy changes)."

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.terraform_write_statements
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each = merge(
    {
      state   = aws_iam_policy.deploy_state.arn
      release = aws_iam_policy.deploy_release.arn
    },
    {
      for k, p in {
        "terraform-read"  = aws_iam_policy.deploy_terraform_read
        "terraform-write" = aws_iam_policy.deploy_terraform_write
      } : k => p[0].arn if length(p) > 0
    },
  )

  role       = aws_iam_role.deploy.name
  policy_arn = each.value
}
