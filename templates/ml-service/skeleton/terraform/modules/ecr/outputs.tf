output "repository_name" {
  description = "Name of the repository."
  value       = aws_ecr_repository.this.name
}

output "repository_arn" {
  description = "ARN of the repository."
  value       = aws_ecr_repository.this.arn
}

output "repository_url" {
  description = "URI of the repository (<account>.dkr.ecr.<region>.amazonaws.com/<name>)."
  value       = aws_ecr_repository.this.repository_url
}

output "registry_id" {
  description = "Registry (account) ID of the repository."
  value       = aws_ecr_repository.this.registry_id
}

output "image_tag_mutability" {
  description = "Tag mutability of the repository."
  value       = aws_ecr_repository.this.image_tag_mutability
}

output "lifecycle_policy" {
  description = "The repository's lifecycle policy (JSON)."
  value       = aws_ecr_lifecycle_policy.this.policy
}
