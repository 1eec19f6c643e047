# --- Naming and account -------------------------------------------------------

variable "name_prefix" {
  description = "Prefix of the role and policy names, e.g. \"churn-model-dev\" (roles <prefix>-service and <prefix>-github-deploy)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,48}[a-zA-Z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-50 letters, digits or hyphens (IAM role names are limited to 64 characters)."
  }
}

variable "service_name" {
  description = "Service name; the value of the `service` tag (set through provider default_tags) that scopes the Terraform permissions of the deploy role."
  type        = string
}

variable "aws_account_id" {
  description = "12-digit AWS account ID that owns the resources."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "aws_region" {
  description = "Region of the cluster, the ECR repository and the buckets."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

# --- Cluster and workload -----------------------------------------------------

variable "cluster_name" {
  description = "EKS cluster the service runs in. Scopes eks:DescribeCluster of the deploy role and the Pod Identity association. Null when there is no cluster."
  type        = string
  default     = null
}

variable "manage_cluster" {
  description = "Whether this stack creates and manages the cluster (clusterMode new). Grants the deploy role Terraform write access to the cluster's add-ons, node group and access entries when terraform_access is \"apply\"; never for a shared, existing cluster."
  type        = bool
  default     = false
}

variable "create_pod_identity_association" {
  description = "Associate the service role with the service account through EKS Pod Identity (needs cluster_name and the eks-pod-identity-agent add-on on the cluster)."
  type        = bool
  default     = true
}

variable "irsa_oidc" {
  description = <<-EOT
    The cluster's IAM OIDC provider (provider_arn) and issuer (issuer_url, https://oidc.eks...) when the
    service role must be assumed through IRSA instead of EKS Pod Identity: on Fargate, where Pod Identity
    does not work. Then no Pod Identity association is made and the service account needs the annotation
    eks.amazonaws.com/role-arn. Null (the default): EKS Pod Identity.
  EOT
  type = object({
    provider_arn = string
    issuer_url   = string
  })
  default = null
}

variable "namespace" {
  description = "Kubernetes namespace of the service account."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label."
  }
}

variable "service_account_name" {
  description = "Kubernetes service account of the service pods."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account_name))
    error_message = "service_account_name must be a DNS-1123 subdomain."
  }
}

variable "models_bucket_name" {
  description = "Bucket the service reads its models from."
  type        = string
}

variable "models_read_prefix" {
  description = "Key prefix (without leading slash) the service may read in the models bucket; empty for the whole bucket."
  type        = string
  default     = ""

  validation {
    condition     = !startswith(var.models_read_prefix, "/")
    error_message = "models_read_prefix must not start with a slash."
  }
}

variable "bucket_kms_key_arn" {
  description = "KMS key that encrypts the service buckets (models, data, artifacts). Null when they use an AWS-managed key."
  type        = string
  default     = null
}

# --- GitHub OIDC --------------------------------------------------------------

variable "github_subject_prefix" {
  description = <<-EOT
    The repository's OIDC subject prefix (GitHub's sub_claim_prefix): a job's token carries the subject
    <prefix>:<context>, and the deploy role trusts exactly <prefix>:environment:<github_environment>.
    repo:<owner>/<repo> for a repository created before GitHub's immutable subject claims (and on GitHub
    Enterprise Server); repo:<owner>@<owner id>/<repo>@<repo id> for one created, renamed or transferred
    since (or opted in). `gh api repos/OWNER/REPO/actions/oidc/customization/sub` prints it as
    sub_claim_prefix. The account's GitHub OIDC provider must exist already (it is looked up).
  EOT
  type        = string

  validation {
    condition     = can(regex("^repo:[A-Za-z0-9][A-Za-z0-9-]*(@[0-9]+)?/[A-Za-z0-9._-]+(@[0-9]+)?$", var.github_subject_prefix))
    error_message = "github_subject_prefix must be the repository's OIDC subject prefix, repo:<owner>/<repo> (e.g. repo:acme/churn) or, with immutable subject claims, repo:<owner>@<owner id>/<repo>@<repo id> (e.g. repo:acme@123456/churn@789012), without the :<context> part. Find it with `gh api repos/OWNER/REPO/actions/oidc/customization/sub` (its sub_claim_prefix)."
  }
}

variable "github_oidc_issuer" {
  description = <<-EOT
    The issuer of the repository's Actions OIDC tokens (their iss claim without https://), which the deploy
    role trusts through the account's OIDC provider of that URL: token.actions.githubusercontent.com, or
    token.actions.githubusercontent.com/<enterprise slug> where the repository's enterprise has turned on its
    unique issuer URL. The workflows set it from their own token (TF_VAR_github_oidc_issuer).
  EOT
  type        = string
  default     = "token.actions.githubusercontent.com"

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*$", var.github_oidc_issuer))
    error_message = "github_oidc_issuer must be the OIDC tokens' issuer without https://, a host and an optional path: token.actions.githubusercontent.com, or token.actions.githubusercontent.com/<enterprise slug> for an enterprise with its unique issuer URL."
  }
}

variable "github_environment" {
  description = "GitHub environment whose jobs, and only those, may assume the deploy role (subject <github_subject_prefix>:environment:<env>)."
  type        = string

  validation {
    condition     = length(var.github_environment) > 0
    error_message = "github_environment must not be empty."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of every IAM role this module creates, e.g. the one the platform puts on CI roles (and requires on the roles they create). Null for none."
  type        = string
  default     = null
}

variable "deploy_role_max_session_seconds" {
  description = "Maximum session duration of the deploy role."
  type        = number
  default     = 3600

  validation {
    condition     = var.deploy_role_max_session_seconds >= 3600 && var.deploy_role_max_session_seconds <= 43200
    error_message = "deploy_role_max_session_seconds must be between 3600 and 43200."
  }
}

# --- What the deploy role may touch -------------------------------------------

variable "ecr_repository_name" {
  description = "The one ECR repository the deploy role may push to."
  type        = string
}

variable "manage_ecr_repository" {
  description = "Whether this stack manages the ECR repository (grants Terraform write access to its lifecycle policy and tags when terraform_access is \"apply\")."
  type        = bool
  default     = false
}

variable "ci_read_bucket_names" {
  description = "Buckets the deploy role (CI) may read, e.g. the data bucket."
  type        = list(string)
  default     = []
}

variable "ci_write_bucket_names" {
  description = "Buckets the deploy role (CI) may read and write objects in, e.g. the models and artifacts buckets."
  type        = list(string)
  default     = []
}

variable "dataset_uri" {
  description = "s3://bucket/key of the training dataset CI reads; empty when training uses a bundled sample dataset."
  type        = string
  default     = ""

  validation {
    condition     = var.dataset_uri == "" || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$", var.dataset_uri))
    error_message = "dataset_uri must be empty or s3://<bucket>/<key>."
  }
}

variable "certificate_arn" {
  description = "ACM certificate of the service's load balancer; the deploy role reads its chain (acm:GetCertificate) for the smoke test. Empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$", var.certificate_arn))
    error_message = "certificate_arn must be empty or an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

# --- Terraform state ----------------------------------------------------------

variable "state_bucket" {
  description = "S3 bucket holding the Terraform state."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name."
  }
}

variable "state_key" {
  description = "Key of this root's state object; the lock file is <key>.tflock."
  type        = string

  validation {
    condition     = length(var.state_key) > 0 && !startswith(var.state_key, "/")
    error_message = "state_key must be a non-empty key without a leading slash."
  }
}

variable "state_workspace_key_prefix" {
  description = "workspace_key_prefix of the S3 backend; terraform init lists <prefix>/ to find workspaces."
  type        = string
  default     = "env:"
}

variable "state_region" {
  description = "Region of the state bucket (and of the optional lock table)."
  type        = string
}

variable "state_lock_table" {
  description = "Legacy DynamoDB lock table of the S3 backend; empty when only S3 native locking (use_lockfile) is used."
  type        = string
  default     = ""
}

variable "terraform_access" {
  description = <<-EOT
    Terraform permissions of the deploy role besides the state (the generated workflows apply with the
    environment's own Terraform role, so none are needed):
    "none"  - only state access;
    "plan"  - plus read-only access to everything this stack manages (terraform plan / drift detection);
    "apply" - plus scoped writes for routine changes (add-on and Kubernetes version upgrades, node group
              sizes and launch templates, lifecycle rules, log retention, tags). IAM, KMS key, VPC,
              bucket policy and cluster create/delete changes always need a platform admin.
  EOT
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "plan", "apply"], var.terraform_access)
    error_message = "terraform_access must be none, plan or apply."
  }
}

variable "managed_bucket_names" {
  description = "Buckets this stack manages (Terraform read/write of their configuration)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags (provider default_tags also apply)."
  type        = map(string)
  default     = {}
}
