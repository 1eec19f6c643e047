# One environment of the service: network and EKS cluster (create_cluster =
# true) or an existing cluster, S3 buckets, IAM for the pods and for GitHub
# Actions, and the ECR repository.
#
# GitHub Actions apply it with this environment's Terraform role (created by the
# Backstage template before the first push; it trusts only the GitHub
# environment of the same name), from the plan file reviewers saw. The deploy
# role created here only releases the service (image, cluster, buckets).

data "aws_partition" "current" {}

locals {
  fargate          = var.create_cluster && var.compute_mode == "fargate"
  name_prefix      = "${var.service_name}-${var.environment}"
  new_cluster_name = "${var.cluster_name_prefix != "" ? var.cluster_name_prefix : var.service_name}-${var.environment}"
}

# --- Network and cluster (clusterMode new) -------------------------------------------------

module "vpc" {
  source = "../../modules/vpc"
  count  = var.create_cluster ? 1 : 0

  name                     = local.name_prefix
  cidr_block               = var.vpc_cidr
  az_count                 = var.az_count
  single_nat_gateway       = var.single_nat_gateway
  cluster_name             = local.new_cluster_name
  enable_flow_logs         = var.enable_flow_logs
  flow_logs_retention_days = var.log_retention_days
  permissions_boundary_arn = var.permissions_boundary_arn
}

module "eks" {
  source = "../../modules/eks"
  count  = var.create_cluster ? 1 : 0

  cluster_name             = local.new_cluster_name
  kubernetes_version       = var.kubernetes_version
  subnet_ids               = module.vpc[0].private_subnet_ids
  endpoint_public_access   = var.cluster_endpoint_public_access
  public_access_cidrs      = var.cluster_public_access_cidrs
  authentication_mode      = var.cluster_authentication_mode
  log_retention_days       = var.log_retention_days
  enable_irsa              = var.cluster_enable_irsa
  permissions_boundary_arn = var.permissions_boundary_arn

  # auto | nodegroup | fargate; the node_* settings apply to nodegroup only.
  compute_mode       = var.compute_mode
  fargate_namespaces = distinct(concat([var.namespace], var.fargate_extra_namespaces))

  node_instance_types = var.node_instance_types
  node_min_size       = var.node_min_size
  node_max_size       = var.node_max_size
  node_capacity_type  = var.node_capacity_type
  node_disk_size_gib  = var.node_disk_size_gib

  admin_role_arns = var.admin_role_arns
  access_entries = {
    deploy = {
      principal_arn = module.iam.deploy_role_arn
      policy_name   = var.deploy_access_policy
      scope_type    = var.deploy_access_scope
      namespaces    = [var.namespace]
    }
  }
  # Backstage: no access policy, only the Kubernetes group its Role and RoleBinding name.
  group_access_entries = {
    for k, v in {
      backstage = {
        principal_arn     = try(data.aws_iam_role.backstage[0].arn, var.backstage_role_arn)
        kubernetes_groups = [var.backstage_kubernetes_group]
      }
    } : k => v if var.backstage_role_arn != null
  }
}

# Backstage's role, read while planning when it is in this account: EKS refuses an access entry for a role
# that does not exist only once the cluster is up, leaving the environment half-made; the plan stops at once
# ("reading IAM Role (<name>): couldn't find resource") with nothing created. Fix: backstage_role_arn in
# terraform.tfvars (the role Backstage's backend runs as), or null for no access entry.
data "aws_iam_role" "backstage" {
  count = var.create_cluster && var.backstage_role_arn != null && try(split(":", var.backstage_role_arn)[4], "") == var.aws_account_id ? 1 : 0
  name  = element(split("/", var.backstage_role_arn), length(split("/", var.backstage_role_arn)) - 1)
}

# --- Existing cluster (clusterMode existing) --------------------------------------------------

data "aws_eks_cluster" "existing" {
  count = var.create_cluster ? 0 : 1

  name = var.existing_cluster_name
}

# The deploy role may only work in this service's namespace of the shared cluster.
resource "aws_eks_access_entry" "deploy_existing" {
  count = !var.create_cluster && var.manage_existing_cluster_access ? 1 : 0

  cluster_name  = data.aws_eks_cluster.existing[0].name
  principal_arn = module.iam.deploy_role_arn
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "deploy_existing" {
  count = !var.create_cluster && var.manage_existing_cluster_access ? 1 : 0

  cluster_name  = data.aws_eks_cluster.existing[0].name
  principal_arn = aws_eks_access_entry.deploy_existing[0].principal_arn
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/${var.deploy_access_policy}"

  access_scope {
    type       = "namespace"
    namespaces = [var.namespace]
  }

  lifecycle {
    precondition {
      condition     = var.deploy_access_policy != "AmazonEKSClusterAdminPolicy"
      error_message = "Do not grant the deploy role cluster-admin on a shared, existing cluster; use AmazonEKSAdminPolicy or AmazonEKSEditPolicy."
    }
  }
}

# Backstage's access to a shared cluster is NOT made here. EKS allows one access entry per principal
# and cluster, so an entry for Backstage's role made by this root would collide with the other
# environments' roots on the same cluster, with other services' and with the platform's own. The
# platform maps Backstage's role once per cluster to the Kubernetes group backstage_kubernetes_group
# (see the README, "What your platform must provide once"); k8s/overlays/<env>/backstage-access.yaml
# binds that group to this service's Roles in its namespace.

locals {
  cluster_name     = var.create_cluster ? module.eks[0].cluster_name : data.aws_eks_cluster.existing[0].name
  cluster_endpoint = var.create_cluster ? module.eks[0].cluster_endpoint : data.aws_eks_cluster.existing[0].endpoint
  cluster_ca_data  = var.create_cluster ? module.eks[0].cluster_certificate_authority_data : one(data.aws_eks_cluster.existing[0].certificate_authority[*].data)
  cluster_arn      = var.create_cluster ? module.eks[0].cluster_arn : data.aws_eks_cluster.existing[0].arn
}

# --- Image repository -----------------------------------------------------------------------
# The template's mlops:ecr:ensure action creates the repository before this
# code exists, and all environments share it, so by default it is only read.

module "ecr" {
  source = "../../modules/ecr"
  count  = var.manage_ecr_repository ? 1 : 0

  name = var.ecr_repository_name
  # The deploy workflow tags each image it rolls out <env>-run-<id>: every environment keeps its own
  # last images, the last promoted first (as the template's mlops:ecr:ensure set it up).
  protected_tag_prefixes = reverse(["${{ values.environments | join('", "') }}"])
}

data "aws_ecr_repository" "existing" {
  count = var.manage_ecr_repository ? 0 : 1

  name = var.ecr_repository_name
}

locals {
  ecr_repository_url = var.manage_ecr_repository ? module.ecr[0].repository_url : data.aws_ecr_repository.existing[0].repository_url
}

# --- Buckets --------------------------------------------------------------------------------

module "s3" {
  source = "../../modules/s3"

  name_prefix    = local.name_prefix
  aws_account_id = var.aws_account_id
  aws_region     = var.aws_region
  buckets        = ["models", "data", "artifacts"]
  force_destroy  = var.bucket_force_destroy
}

# --- IAM: service (Pod Identity, or IRSA on Fargate) and GitHub deploy roles ------------------

module "iam" {
  source = "../../modules/iam"

  name_prefix              = local.name_prefix
  service_name             = var.service_name
  aws_account_id           = var.aws_account_id
  aws_region               = var.aws_region
  permissions_boundary_arn = var.permissions_boundary_arn

  cluster_name         = local.cluster_name
  manage_cluster       = var.create_cluster
  namespace            = var.namespace
  service_account_name = var.service_account_name
  # EKS Pod Identity does not work on Fargate: there the service account is annotated with the role
  # (eks.amazonaws.com/role-arn) and the cluster's OIDC provider vouches for it (IRSA).
  irsa_oidc = local.fargate ? {
    provider_arn = module.eks[0].oidc_provider_arn
    issuer_url   = module.eks[0].oidc_issuer_url
  } : null

  models_bucket_name = module.s3.bucket_names["models"]
  bucket_kms_key_arn = module.s3.kms_key_arn

  github_subject_prefix = var.github_subject_prefix
  github_oidc_issuer    = var.github_oidc_issuer
  github_environment    = var.environment

  ecr_repository_name   = var.ecr_repository_name
  manage_ecr_repository = var.manage_ecr_repository
  ci_read_bucket_names  = [module.s3.bucket_names["data"]]
  ci_write_bucket_names = [module.s3.bucket_names["models"], module.s3.bucket_names["artifacts"]]
  dataset_uri           = var.dataset_uri
  certificate_arn       = var.certificate_arn

  state_bucket               = var.state_bucket
  state_key                  = var.state_key
  state_region               = var.state_region
  state_workspace_key_prefix = var.state_workspace_key_prefix
  state_lock_table           = var.state_lock_table
  terraform_access           = var.deploy_role_terraform_access
  managed_bucket_names       = values(module.s3.bucket_names)
}
