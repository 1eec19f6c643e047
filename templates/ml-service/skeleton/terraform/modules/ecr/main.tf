resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = var.image_tag_mutability
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

# The same rules as the template's mlops:ecr:ensure: untagged images expire after N days; each
# protected tag prefix (an environment the deploy workflow tags images with, the last promoted
# first) keeps its own last images; the last rule keeps the last of the rest. ECR never lets a
# rule expire an image a higher-priority rule's tags matched, so newer builds never expire the
# image an environment runs.
locals {
  protected_rules = [
    for index, prefix in var.protected_tag_prefixes : {
      rulePriority = index + 2
      description  = "Keep the last ${var.keep_last_images} images tagged ${prefix}*"
      selection = {
        tagStatus     = "tagged"
        tagPrefixList = [prefix]
        countType     = "imageCountMoreThan"
        countNumber   = var.keep_last_images
      }
      action = { type = "expire" }
    }
  ]
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = concat(
      [
        {
          rulePriority = 1
          description  = "Expire untagged images after ${var.untagged_image_expiry_days} days"
          selection = {
            tagStatus   = "untagged"
            countType   = "sinceImagePushed"
            countUnit   = "days"
            countNumber = var.untagged_image_expiry_days
          }
          action = { type = "expire" }
        },
      ],
      local.protected_rules,
      [
        {
          rulePriority = length(local.protected_rules) + 2
          description  = length(local.protected_rules) > 0 ? "Keep the last ${var.keep_last_images} of the other images" : "Keep the last ${var.keep_last_images} images"
          selection = {
            tagStatus   = "any"
            countType   = "imageCountMoreThan"
            countNumber = var.keep_last_images
          }
          action = { type = "expire" }
        },
      ],
    )
  })
}
