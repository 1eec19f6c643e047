variable "name_prefix" {
  description = "Prefix of the bucket names; buckets are named <name_prefix>-<purpose>-<account id>-<region>. A prefix too long for the 63-character limit is shortened and suffixed with a 6-character hash."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$", var.name_prefix)) && !strcontains(var.name_prefix, "--")
    error_message = "name_prefix must be 2-50 lowercase letters, digits or single hyphens, starting and ending with a letter or digit."
  }
}

variable "aws_account_id" {
  description = "12-digit AWS account ID (part of the bucket names, which are global)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "aws_region" {
  description = "Region of the buckets (part of the bucket names)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "buckets" {
  description = "Purposes of the buckets to create, e.g. models, data, artifacts."
  type        = set(string)
  default     = ["models", "data", "artifacts"]

  validation {
    condition     = length(var.buckets) > 0 && alltrue([for b in var.buckets : can(regex("^[a-z0-9]{1,12}$", b))])
    error_message = "buckets must contain 1-12 character lowercase alphanumeric purposes."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for SSE-KMS. Null creates a dedicated key with rotation enabled."
  type        = string
  default     = null
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a created KMS key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Delete noncurrent object versions this many days after they become noncurrent."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "noncurrent_versions_to_keep" {
  description = "Newest noncurrent versions kept regardless of age (0 keeps none beyond the expiry rule)."
  type        = number
  default     = 5

  validation {
    condition     = var.noncurrent_versions_to_keep >= 0 && var.noncurrent_versions_to_keep <= 100
    error_message = "noncurrent_versions_to_keep must be between 0 and 100."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Abort incomplete multipart uploads after this many days."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1
    error_message = "abort_incomplete_multipart_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Allow destroying buckets that still contain objects. Keep false outside throwaway environments."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags (provider default_tags also apply)."
  type        = map(string)
  default     = {}
}
