# Values are set in terraform.tfvars (rendered by the Backstage template).

# --- Account and naming ---------------------------------------------------------

variable "aws_account_id" {
  description = "AWS account the environment is deployed to; the provider refuses any other."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "aws_region" {
  description = "AWS region of the environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "service_name" {
  description = "Service name (DNS-1123 label); prefixes every resource name and is the `service` tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.service_name))
    error_message = "service_name must be 3-40 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "tags" {
  description = "Extra tags on every resource, besides service, environment and managed-by."
  type        = map(string)
  default     = {}
}

# --- Cluster --------------------------------------------------------------------

variable "create_cluster" {
  description = "true: create a VPC and an EKS cluster for this environment (clusterMode new). false: deploy into existing_cluster_name (clusterMode existing); the vpc and eks modules are skipped."
  type        = bool
}

variable "cluster_name_prefix" {
  description = "A new cluster is named <cluster_name_prefix>-<environment>."
  type        = string
  default     = ""

  validation {
    condition     = var.cluster_name_prefix == "" || can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,40}$", var.cluster_name_prefix))
    error_message = "cluster_name_prefix must be up to 41 letters, digits or hyphens, starting with a letter."
  }
}

variable "existing_cluster_name" {
  description = "Existing EKS cluster to deploy into when create_cluster is false."
  type        = string
  default     = ""

  validation {
    condition     = var.create_cluster || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.existing_cluster_name))
    error_message = "existing_cluster_name must be set to a valid EKS cluster name when create_cluster is false."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes version of a new cluster."
  type        = string
  default     = "1.36"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like \"1.36\"."
  }
}

variable "compute_mode" {
  description = <<-EOT
    How a new cluster runs pods (ignored for an existing cluster):
    "auto"      - EKS Auto Mode: EKS manages the nodes (general-purpose and system node pools), load
                  balancing (ALB/NLB), block storage and node scaling;
    "nodegroup" - a managed node group (node_* variables), the AWS Load Balancer Controller and the
                  Cluster Autoscaler (roles here, Helm charts installed by the deploy workflow);
    "fargate"   - Fargate profiles for the service namespace and kube-system, no nodes (IRSA for the
                  service and the Load Balancer Controller: Pod Identity does not work on Fargate).
  EOT
  type        = string
  default     = "auto"

  validation {
    condition     = contains(["auto", "nodegroup", "fargate"], var.compute_mode)
    error_message = "compute_mode must be auto (EKS Auto Mode), nodegroup (managed node group) or fargate."
  }
}

variable "fargate_extra_namespaces" {
  description = "compute_mode fargate: namespaces besides the service's whose pods run on Fargate, e.g. [\"monitoring\"] for a Prometheus in the cluster (without a profile, and with no nodes, their pods stay Pending). At most 4."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.fargate_extra_namespaces) <= 4
    error_message = "fargate_extra_namespaces may list at most 4 namespaces (a Fargate profile takes 5 selectors, one is the service's)."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node group of a new cluster (compute_mode nodegroup)."
  type        = list(string)
  default     = ["m6i.large"]

  validation {
    condition     = length(var.node_instance_types) >= 1
    error_message = "node_instance_types must list at least one instance type."
  }

  validation {
    condition     = !anytrue([for t in var.node_instance_types : can(regex("^(a1|[a-z]+[0-9]+g[a-z0-9]*(-[a-z0-9]+)*)\\.", t))])
    error_message = "node_instance_types must be x86_64 types (m6i.large, not m7g.large): deploy.yml builds the image for linux/amd64 only, and Graviton nodes cannot run it."
  }
}

variable "node_min_size" {
  description = "Minimum size of the node group."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_size >= 1
    error_message = "node_min_size must be at least 1."
  }
}

variable "node_max_size" {
  description = "Maximum size of the node group."
  type        = number
  default     = 5

  validation {
    condition     = var.node_max_size >= var.node_min_size
    error_message = "node_max_size must be at least node_min_size."
  }
}

variable "node_capacity_type" {
  description = "ON_DEMAND or SPOT nodes."
  type        = string
  default     = "ON_DEMAND"
}

variable "node_disk_size_gib" {
  description = "Root volume size of the nodes, in GiB."
  type        = number
  default     = 50
}

variable "vpc_cidr" {
  description = "CIDR of the new VPC."
  type        = string
  default     = "10.0.0.0/16"
}

variable "az_count" {
  description = "Availability zones of the new VPC (2 or 3)."
  type        = number
  default     = 3
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway instead of one per AZ (cheaper, less available)."
  type        = bool
  default     = false
}

variable "enable_flow_logs" {
  description = "VPC flow logs to CloudWatch Logs."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the control-plane and flow log groups, in days."
  type        = number
  default     = 90
}

variable "cluster_endpoint_public_access" {
  description = "Public Kubernetes API endpoint (IAM-authenticated). Needed by GitHub-hosted runners unless deploys run inside the VPC."
  type        = bool
  default     = true
}

variable "cluster_public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "cluster_authentication_mode" {
  description = "API or API_AND_CONFIG_MAP."
  type        = string
  default     = "API"
}

variable "cluster_enable_irsa" {
  description = "Also create an IAM OIDC provider for the new cluster (IRSA). Not needed with EKS Pod Identity (compute_mode auto and nodegroup); compute_mode fargate always creates it, as Pod Identity does not work on Fargate."
  type        = bool
  default     = false
}

variable "admin_role_arns" {
  description = "IAM roles granted cluster-admin on a new cluster (the creator gets no implicit access)."
  type        = list(string)
  default     = []
}

# --- Kubernetes access of the deploy role -----------------------------------------

variable "deploy_access_policy" {
  description = "EKS access policy of the deploy role: AmazonEKSClusterAdminPolicy on a cluster this stack owns (it creates the namespace and installs the cluster's controllers with Helm; the EKS add-ons are Terraform's), AmazonEKSAdminPolicy or AmazonEKSEditPolicy in the namespace of a shared cluster."
  type        = string
  default     = "AmazonEKSAdminPolicy"

  validation {
    condition     = contains(["AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy"], var.deploy_access_policy)
    error_message = "deploy_access_policy must be AmazonEKSClusterAdminPolicy, AmazonEKSAdminPolicy or AmazonEKSEditPolicy."
  }
}

variable "deploy_access_scope" {
  description = "\"cluster\" or \"namespace\" (the service namespace). Always namespace on an existing cluster."
  type        = string
  default     = "namespace"

  validation {
    condition     = contains(["cluster", "namespace"], var.deploy_access_scope)
    error_message = "deploy_access_scope must be cluster or namespace."
  }
}

variable "manage_existing_cluster_access" {
  description = "On an existing cluster, create the deploy role's access entry (namespace-scoped). Needs the cluster in API or API_AND_CONFIG_MAP mode and a platform admin for the first apply."
  type        = bool
  default     = true
}

variable "namespace" {
  description = "Kubernetes namespace of the service in this environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label."
  }
}

variable "service_account_name" {
  description = "Kubernetes service account of the service pods (bound to the service role through EKS Pod Identity, or through IRSA with compute_mode fargate)."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of every IAM role this root creates (deploy, service, EKS and flow-log roles). The platform's boundary for CI roles usually requires it on the roles they create; null for none."
  type        = string
  default     = null
}

# --- Backstage ------------------------------------------------------------------------

variable "backstage_role_arn" {
  description = "IAM role of the Backstage backend (its Kubernetes plugin's aws auth). On a new cluster (create_cluster = true) it gets an EKS access entry mapped to backstage_kubernetes_group, with no access policy: the Role and RoleBinding in k8s/overlays/<env>/backstage-access.yaml are all it may do. Null for no access entry. Unused on an existing cluster, where the platform maps the role to the group once per cluster (EKS allows one access entry per principal and cluster)."
  type        = string
  default     = null

  validation {
    condition     = var.backstage_role_arn == null || can(regex("^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", var.backstage_role_arn))
    error_message = "backstage_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) or null."
  }
}

variable "backstage_kubernetes_group" {
  description = "Kubernetes group the Backstage role is mapped to; the subject of the RoleBindings in k8s/overlays/<env>/backstage-access.yaml. On an existing cluster the platform's once-per-cluster access entry for Backstage's role must name it."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.backstage_kubernetes_group))
    error_message = "backstage_kubernetes_group must be a DNS-1123 label."
  }
}

# --- GitHub ---------------------------------------------------------------------------

variable "github_subject_prefix" {
  description = <<-EOT
    This repository's OIDC subject prefix: the deploy role trusts exactly
    <prefix>:environment:<environment>. repo:<owner>/<repo>, or repo:<owner>@<owner id>/<repo>@<repo id> where
    GitHub mints immutable subject claims (repositories created since mid-2026). No default: the workflows set
    it (TF_VAR_github_subject_prefix) from their own OIDC token (.github/scripts/oidc_subject_prefix.sh). For a
    local run, ask GitHub for it:
      export TF_VAR_github_subject_prefix="$(gh api repos/OWNER/REPO/actions/oidc/customization/sub --jq .sub_claim_prefix)"
  EOT
  type        = string
}

variable "github_oidc_issuer" {
  description = <<-EOT
    The issuer of this repository's Actions OIDC tokens without https://: token.actions.githubusercontent.com,
    or token.actions.githubusercontent.com/<enterprise slug> where the enterprise has turned on its unique
    issuer URL. The workflows set it from their own token (TF_VAR_github_oidc_issuer); for a local run in such
    an enterprise, export TF_VAR_github_oidc_issuer as well.
  EOT
  type        = string
  default     = "token.actions.githubusercontent.com"
}

variable "deploy_role_terraform_access" {
  description = "Terraform permissions of the deploy role: none (the workflows apply with the environment's Terraform role), plan (read-only) or apply (plus scoped routine writes). See modules/iam."
  type        = string
  default     = "none"
}

# --- Image repository ---------------------------------------------------------------

variable "ecr_repository_name" {
  description = "ECR repository of the service image."
  type        = string
}

variable "manage_ecr_repository" {
  description = <<-EOT
    false (default): the repository was created by the template's mlops:ecr:ensure action before Terraform
    ran, and is shared by all environments; it is only referenced through a data source. true: Terraform
    creates and owns it (set it in one environment only, and `terraform import` the bootstrapped repository
    first, or Terraform will fail because it already exists).
  EOT
  type        = bool
  default     = false
}

# --- Data ------------------------------------------------------------------------------

variable "dataset_uri" {
  description = "s3://bucket/key of the training CSV CI reads, or empty for the bundled sample dataset."
  type        = string
  default     = ""
}

variable "certificate_arn" {
  description = "ACM certificate of the load balancer (k8s/base/ingress.yaml); the deploy role may read its chain for the smoke test. Empty for none."
  type        = string
  default     = ""
}

variable "bucket_force_destroy" {
  description = "Allow destroying the models/data/artifacts buckets with objects in them."
  type        = bool
  default     = false
}

# --- Terraform state (must match <environment>.s3.tfbackend) -------------------------

variable "state_bucket" {
  description = "S3 bucket of the Terraform state."
  type        = string
}

variable "state_key" {
  description = "Key of this environment's state object."
  type        = string
}

variable "state_region" {
  description = "Region of the state bucket."
  type        = string
}

variable "state_workspace_key_prefix" {
  description = "workspace_key_prefix of the S3 backend."
  type        = string
  default     = "env:"
}

variable "state_lock_table" {
  description = "Legacy DynamoDB lock table, or empty when only the S3 lock file is used."
  type        = string
  default     = ""
}
