variable "name" {
  description = "Name of the ECR repository."
  type        = string

  validation {
    condition     = length(var.name) >= 2 && length(var.name) <= 256 && can(regex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.name))
    error_message = "name must be a valid ECR repository name (lowercase, digits, . _ - and / separators, 2-256 characters)."
  }
}

variable "image_tag_mutability" {
  description = "Tag mutability. IMMUTABLE (default) guarantees a tag always names the same image."
  type        = string
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["IMMUTABLE", "MUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be IMMUTABLE or MUTABLE."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for image encryption. Null uses the AWS-managed aws/ecr key (still SSE-KMS). Changing encryption replaces the repository."
  type        = string
  default     = null
}

variable "untagged_image_expiry_days" {
  description = "Expire untagged images (e.g. failed or superseded pushes) after this many days."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_image_expiry_days >= 1
    error_message = "untagged_image_expiry_days must be at least 1."
  }
}

variable "keep_last_images" {
  description = "Keep at most this many images; older ones are expired."
  type        = number
  default     = 100

  validation {
    condition     = var.keep_last_images >= 1
    error_message = "keep_last_images must be at least 1."
  }
}

variable "protected_tag_prefixes" {
  description = "Tag prefixes whose images each keep their own last keep_last_images (the environments the deploy workflow tags images with, the last promoted first: an image carrying several counts under the first)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.protected_tag_prefixes : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", p))]) && length(distinct(var.protected_tag_prefixes)) == length(var.protected_tag_prefixes)
    error_message = "protected_tag_prefixes must be distinct image tag prefixes (letters, digits, . _ -, starting with a letter or digit)."
  }
}

variable "force_delete" {
  description = "Allow destroying the repository while it still contains images."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags (provider default_tags also apply)."
  type        = map(string)
  default     = {}
}
