output "service_role_arn" {
  description = "ARN of the service's role (EKS Pod Identity, or IRSA when irsa_oidc is set: then annotate the service account with eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.service.arn
}

output "service_role_delivery" {
  description = "How the pods get the service role: \"pod-identity\" (an EKS Pod Identity association) or \"irsa\" (the service account's eks.amazonaws.com/role-arn annotation)."
  value       = var.irsa_oidc == null ? "pod-identity" : "irsa"
}

output "service_role_name" {
  description = "Name of the service's role."
  value       = aws_iam_role.service.name
}

output "service_role_trust_policy" {
  description = "Trust policy (JSON) of the service role."
  value       = aws_iam_role.service.assume_role_policy
}

output "pod_identity_association_id" {
  description = "ID of the Pod Identity association, or null when none was created."
  value       = one(aws_eks_pod_identity_association.service[*].association_id)
}

output "deploy_role_arn" {
  description = "ARN of the GitHub Actions deploy role (use it as role-to-assume in aws-actions/configure-aws-credentials)."
  value       = aws_iam_role.deploy.arn
}

output "deploy_role_name" {
  description = "Name of the GitHub Actions deploy role."
  value       = aws_iam_role.deploy.name
}

output "deploy_role_trust_policy" {
  description = "Trust policy (JSON) of the deploy role."
  value       = aws_iam_role.deploy.assume_role_policy
}

output "github_oidc_subjects" {
  description = "OIDC subjects allowed to assume the deploy role."
  value       = local.github_subjects
}

output "github_oidc_provider_arn" {
  description = "ARN of the account's GitHub Actions OIDC provider."
  value       = local.github_oidc_provider_arn
}

output "deploy_state_policy" {
  description = "Policy (JSON) granting the deploy role access to the Terraform state and its lock file."
  value       = aws_iam_policy.deploy_state.policy
}

output "deploy_release_policy" {
  description = "Policy (JSON) granting the deploy role ECR push, cluster describe and artefact access."
  value       = aws_iam_policy.deploy_release.policy
}

output "deploy_terraform_read_policy" {
  description = "Policy (JSON) granting the deploy role read access for terraform plan, or null when terraform_access is none."
  value       = one(aws_iam_policy.deploy_terraform_read[*].policy)
}

output "deploy_terraform_write_policy" {
  description = "Policy (JSON) granting the deploy role scoped writes for terraform apply, or null unless terraform_access is apply."
  value       = one(aws_iam_policy.deploy_terraform_write[*].policy)
}
