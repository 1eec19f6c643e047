variable "name" {
  description = "Name prefix of every resource in the VPC, e.g. \"churn-model-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,46}[a-z0-9]$", var.name))
    error_message = "name must be 2-48 lowercase letters, digits or hyphens, starting and ending with a letter or digit."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC, between /16 and /20. Private subnets get one /19 (for a /16) per AZ, public subnets one /22."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition = (
      can(cidrhost(var.cidr_block, 0)) &&
      can(regex("/([0-9]+)$", var.cidr_block)) &&
      try(tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 20, false)
    )
    error_message = "cidr_block must be a valid IPv4 CIDR with a prefix length between /16 and /20."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread the subnets over (2 or 3)."
  type        = number
  default     = 3

  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "az_count must be 2 or 3."
  }
}

variable "availability_zones" {
  description = "Explicit availability zone names to use. Empty (the default) picks the first az_count zones of the region that need no opt-in and can host an EKS control plane (fewer when the account sees fewer)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || (length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3)
    error_message = "availability_zones must be empty or list 2 or 3 zones."
  }
}

variable "single_nat_gateway" {
  description = "Create one NAT gateway shared by all private subnets (cheaper, but a single-AZ point of failure) instead of one per AZ."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "EKS cluster that uses the subnets; adds the kubernetes.io/cluster/<name> = shared tag. Empty to omit it."
  type        = string
  default     = ""
}

variable "enable_flow_logs" {
  description = "Send VPC flow logs to a CloudWatch Logs group."
  type        = bool
  default     = false
}

variable "flow_logs_traffic_type" {
  description = "Traffic captured by the flow log: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs_traffic_type)
    error_message = "flow_logs_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "flow_logs_retention_days" {
  description = "Retention of the flow log group, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "flow_logs_kms_key_arn" {
  description = "Optional KMS key ARN to encrypt the flow log group with (its key policy must allow the CloudWatch Logs service). Null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null
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
