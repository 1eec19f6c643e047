provider "aws" {
  region = var.aws_region

  # Refuse to run against any other account (e.g. with the wrong profile).
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = merge(var.tags, {
      service      = var.service_name
      environment  = var.environment
      "managed-by" = "terraform"
    })
  }
}
