variable "cluster_name" {
  description = "Name of the EKS cluster. Also prefixes its IAM roles, KMS alias, launch template and log group."
  type        = string

  validation {
    # 52 leaves room for the "-eks-cluster" / "-eks-node" IAM role names (64 max).
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,50}[a-zA-Z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 2-52 letters, digits or hyphens, start with a letter and end with a letter or digit."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and the managed node group, e.g. \"1.36\"."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like \"1.36\"."
  }
}

variable "compute_mode" {
  description = <<-EOT
    How the cluster runs pods:
    "auto"      - EKS Auto Mode: EKS runs the nodes (auto_mode_node_pools), load balancers and EBS
                  storage, and scales the nodes; no node group, no networking add-ons;
    "nodegroup" - a managed node group (node_* variables) with the vpc-cni (network policy on),
                  kube-proxy, CoreDNS and Pod Identity agent add-ons, plus Pod Identity roles for the
                  AWS Load Balancer Controller and the Cluster Autoscaler;
    "fargate"   - Fargate profiles for fargate_namespaces and kube-system, CoreDNS on Fargate, an IRSA
                  role for the AWS Load Balancer Controller (Pod Identity does not work on Fargate).
    Every mode gets the metrics-server add-on.
  EOT
  type        = string
  default     = "auto"

  validation {
    condition     = contains(["auto", "nodegroup", "fargate"], var.compute_mode)
    error_message = "compute_mode must be auto, nodegroup or fargate."
  }
}

variable "auto_mode_node_pools" {
  description = "Built-in node pools of EKS Auto Mode: general-purpose (workloads) and system (CriticalAddonsOnly-tainted, for cluster add-ons)."
  type        = list(string)
  default     = ["general-purpose", "system"]

  validation {
    condition     = length(var.auto_mode_node_pools) > 0 && alltrue([for p in var.auto_mode_node_pools : contains(["general-purpose", "system"], p)])
    error_message = "auto_mode_node_pools may only contain general-purpose and system, and at least one of them."
  }
}

variable "fargate_namespaces" {
  description = "Namespaces whose pods run on Fargate in compute_mode fargate (the service's; kube-system gets its own profile). 1 to 5."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.fargate_namespaces) <= 5 && alltrue([for n in var.fargate_namespaces : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", n)) && n != "kube-system"])
    error_message = "fargate_namespaces must list at most 5 DNS-1123 labels, not kube-system (it has its own profile)."
  }
}

variable "support_type" {
  description = "EKS upgrade policy: STANDARD (auto-upgraded at the end of standard support) or EXTENDED (paid extended support)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], var.support_type)
    error_message = "support_type must be STANDARD or EXTENDED."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs (at least two AZs) for the control-plane ENIs and the managed node group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different availability zones."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (still authenticated with IAM). The private endpoint is always on. GitHub-hosted runners need public access unless deploys run from inside the VPC."
  type        = bool
  default     = true
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint when endpoint_public_access is true."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.public_access_cidrs) > 0 && alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "public_access_cidrs must list at least one valid IPv4 CIDR."
  }
}

variable "authentication_mode" {
  description = "Cluster authentication mode: API (access entries only) or API_AND_CONFIG_MAP (access entries plus the aws-auth ConfigMap)."
  type        = string
  default     = "API"

  validation {
    condition     = contains(["API", "API_AND_CONFIG_MAP"], var.authentication_mode)
    error_message = "authentication_mode must be API or API_AND_CONFIG_MAP."
  }
}

variable "cluster_log_types" {
  description = "Control-plane log types sent to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = alltrue([for t in var.cluster_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "cluster_log_types may only contain api, audit, authenticator, controllerManager and scheduler."
  }
}

variable "log_retention_days" {
  description = "Retention of the control-plane log group, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the secrets-encryption KMS key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "admin_role_arns" {
  description = "IAM role ARNs granted cluster-admin (AmazonEKSClusterAdminPolicy) through access entries. The cluster creator gets NO implicit admin access, so list the platform admins here."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "admin_role_arns must contain IAM role ARNs (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "group_access_entries" {
  description = <<-EOT
    Access entries with no access policy, keyed by a static name (e.g. "backstage"): the principal is only
    mapped to kubernetes_groups, and may do what RoleBindings of those groups allow.
  EOT
  type = map(object({
    principal_arn     = string
    kubernetes_groups = list(string)
  }))
  default = {}

  validation {
    condition = alltrue([
      for k, e in var.group_access_entries :
      length(e.kubernetes_groups) > 0 && alltrue([for g in e.kubernetes_groups : !startswith(g, "system:")])
    ])
    error_message = "Each group access entry needs at least one Kubernetes group, none starting with \"system:\"."
  }
}

variable "access_entries" {
  description = <<-EOT
    Additional access entries, keyed by a static name (e.g. "deploy"). policy_name is an EKS access policy
    name such as AmazonEKSAdminPolicy, AmazonEKSEditPolicy or AmazonEKSClusterAdminPolicy; scope_type is
    "cluster" or "namespace" (then namespaces must be set).
  EOT
  type = map(object({
    principal_arn = string
    policy_name   = string
    scope_type    = optional(string, "cluster")
    namespaces    = optional(list(string), [])
  }))
  default = {}

  validation {
    condition = alltrue([
      for k, e in var.access_entries :
      contains(["cluster", "namespace"], e.scope_type) && (e.scope_type == "cluster" || length(e.namespaces) > 0)
    ])
    error_message = "Each access entry needs scope_type \"cluster\" or \"namespace\", and namespaces when the scope is namespace."
  }

  validation {
    condition     = alltrue([for k, e in var.access_entries : can(regex("^AmazonEKS[A-Za-z]+Policy$", e.policy_name))])
    error_message = "policy_name must be an EKS access policy name such as AmazonEKSAdminPolicy."
  }
}

variable "node_instance_types" {
  description = "compute_mode nodegroup: EC2 instance types of the managed node group (one family/architecture; GPU g*/p* types select the NVIDIA AMI, Graviton types the ARM AMI)."
  type        = list(string)

  validation {
    condition     = length(var.node_instance_types) >= 1 && alltrue([for t in var.node_instance_types : can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*\\.[a-z0-9]+(-[a-z0-9]+)?$", t))])
    error_message = "node_instance_types must list at least one instance type such as m6i.large."
  }
}

variable "node_ami_type" {
  description = "AMI type of the node group. Null derives it from the instance types (AL2023 standard, ARM or NVIDIA)."
  type        = string
  default     = null

  validation {
    condition     = var.node_ami_type == null || can(regex("^AL2023_", var.node_ami_type))
    error_message = "node_ami_type must be an AL2023_* AMI type (the launch template sizes the AL2023 root volume /dev/xvda; Amazon Linux 2 is end-of-life)."
  }
}

variable "node_capacity_type" {
  description = "ON_DEMAND or SPOT capacity for the node group."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_capacity_type)
    error_message = "node_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_min_size" {
  description = "Minimum number of nodes."
  type        = number

  validation {
    condition     = var.node_min_size >= 1 && floor(var.node_min_size) == var.node_min_size
    error_message = "node_min_size must be a whole number of at least 1."
  }
}

variable "node_max_size" {
  description = "Maximum number of nodes (at least node_min_size)."
  type        = number

  validation {
    condition     = var.node_max_size >= var.node_min_size && floor(var.node_max_size) == var.node_max_size
    error_message = "node_max_size must be a whole number not below node_min_size."
  }
}

variable "node_desired_size" {
  description = "Initial number of nodes. Null starts at node_min_size. Later changes to the desired size (e.g. by an autoscaler) are ignored."
  type        = number
  default     = null

  validation {
    condition     = var.node_desired_size == null || (try(var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size, false))
    error_message = "node_desired_size must be between node_min_size and node_max_size."
  }
}

variable "node_disk_size_gib" {
  description = "Size of each node's encrypted gp3 root volume, in GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.node_disk_size_gib >= 20 && var.node_disk_size_gib <= 16384
    error_message = "node_disk_size_gib must be between 20 and 16384."
  }
}

variable "node_volume_kms_key_arn" {
  description = "KMS key ARN for the node root volumes. Null uses the account's default EBS key (aws/ebs)."
  type        = string
  default     = null
}

variable "node_metadata_hop_limit" {
  description = <<-EOT
    IMDSv2 PUT response hop limit on the nodes. 1 (the default) stops pods that are not on the host network
    from reaching the instance metadata service and the node role's credentials; workloads get AWS access via
    EKS Pod Identity instead. Set 2 only if a workload must read instance metadata itself.
  EOT
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 2], var.node_metadata_hop_limit)
    error_message = "node_metadata_hop_limit must be 1 or 2."
  }
}

variable "node_labels" {
  description = "Kubernetes labels for the nodes."
  type        = map(string)
  default     = {}
}

variable "node_max_unavailable_percentage" {
  description = "Share of nodes that may be replaced at the same time during node group updates."
  type        = number
  default     = 33

  validation {
    condition     = var.node_max_unavailable_percentage >= 1 && var.node_max_unavailable_percentage <= 100
    error_message = "node_max_unavailable_percentage must be between 1 and 100."
  }
}

variable "addon_versions" {
  description = "Pinned add-on versions by add-on name (vpc-cni, coredns, kube-proxy, eks-pod-identity-agent, metrics-server). Unpinned add-ons use the default version for the cluster's Kubernetes version."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, _ in var.addon_versions : contains(["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "metrics-server"], k)])
    error_message = "addon_versions keys must be vpc-cni, coredns, kube-proxy, eks-pod-identity-agent or metrics-server."
  }
}

variable "enable_irsa" {
  description = "Create an IAM OIDC provider for the cluster (IRSA). Not needed with EKS Pod Identity (auto and nodegroup); always created in compute_mode fargate, where Pod Identity does not work."
  type        = bool
  default     = false
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of every IAM role this module creates, e.g. the one the platform puts on CI roles (and requires on the roles they create). Null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (provider default_tags also apply)."
  type        = map(string)
  default     = {}
}
