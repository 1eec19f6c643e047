# Plan-only tests of the GitHub deploy role against a mocked AWS provider (no credentials, no network):
#
#   terraform init -backend=false && terraform test

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }

  mock_data "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
  }
}

# The subject prefix has the immutable form GitHub mints for repositories created since mid-2026:
# owner and repository IDs after the names.
variables {
  name_prefix           = "churn-prod"
  service_name          = "churn"
  aws_account_id        = "123456789012"
  aws_region            = "eu-west-1"
  cluster_name          = "platform-eks"
  namespace             = "ml-prod"
  service_account_name  = "churn"
  models_bucket_name    = "churn-prod-models"
  github_subject_prefix = "repo:acme@123456/churn@789012"
  github_environment    = "prod"
  ecr_repository_name   = "churn"
  state_bucket          = "churn-tfstate-123456789012"
  state_key             = "churn/prod/terraform.tfstate"
  state_region          = "eu-west-1"
}

run "trusts_only_the_github_environment" {
  command = plan

  assert {
    condition = (
      length(jsondecode(output.deploy_role_trust_policy).Statement) == 1 &&
      jsondecode(output.deploy_role_trust_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" &&
      jsondecode(output.deploy_role_trust_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity"
    )
    error_message = "Only the account's GitHub OIDC provider (looked up, not created) may assume the deploy role."
  }

  assert {
    condition     = jsondecode(output.deploy_role_trust_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == ["repo:acme@123456/churn@789012:environment:prod"]
    error_message = "The deploy role must trust only jobs in the repository's prod GitHub environment, under the subject GitHub mints (immutable claims: repo:acme@123456/churn@789012:environment:prod): a default-branch job without an environment would skip prod's reviewers."
  }

  assert {
    condition     = output.github_oidc_subjects == ["repo:acme@123456/churn@789012:environment:prod"]
    error_message = "github_oidc_subjects must report exactly the subject the role trusts."
  }

  assert {
    condition     = aws_iam_role.deploy.description == "GitHub Actions deploy role of acme/churn (prod)."
    error_message = "The role's description names the repository as people know it, without the IDs."
  }

  assert {
    condition     = jsondecode(output.deploy_role_trust_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    error_message = "The deploy role must require the sts.amazonaws.com audience."
  }

  assert {
    condition     = length(keys(jsondecode(output.deploy_role_trust_policy).Statement[0].Condition)) == 1
    error_message = "The trust policy must match subjects exactly (StringEquals only, no StringLike wildcards)."
  }

  assert {
    condition     = aws_iam_role.deploy.permissions_boundary == null
    error_message = "Without a boundary given, none is set."
  }

  assert {
    condition     = output.deploy_terraform_read_policy == null && output.deploy_terraform_write_policy == null
    error_message = "By default the deploy role gets no Terraform access: the environment's Terraform role applies."
  }
}

# Repositories created before immutable subject claims (and GitHub Enterprise Server) keep names only.
run "trusts_the_legacy_subject_form" {
  command = plan

  variables {
    github_subject_prefix = "repo:acme/churn"
  }

  assert {
    condition     = jsondecode(output.deploy_role_trust_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == ["repo:acme/churn:environment:prod"]
    error_message = "With a legacy prefix the deploy role must trust repo:acme/churn:environment:prod."
  }
}

# An enterprise with its unique issuer URL: its tokens' iss is https://token.actions.githubusercontent.com/<slug>,
# and IAM's condition keys are that issuer's, path included.
run "trusts_the_enterprise_issuer" {
  command = plan

  variables {
    github_oidc_issuer = "token.actions.githubusercontent.com/acme-corp"
  }

  assert {
    condition     = data.aws_iam_openid_connect_provider.github.url == "https://token.actions.githubusercontent.com/acme-corp"
    error_message = "The deploy role must be trusted through the account's provider of the enterprise's issuer."
  }

  assert {
    condition = jsondecode(output.deploy_role_trust_policy).Statement[0].Condition.StringEquals == {
      "token.actions.githubusercontent.com/acme-corp:aud" = "sts.amazonaws.com"
      "token.actions.githubusercontent.com/acme-corp:sub" = ["repo:acme@123456/churn@789012:environment:prod"]
    }
    error_message = "With the enterprise's issuer the trust policy's condition keys must be that issuer's."
  }
}

run "refuses_an_issuer_with_its_scheme" {
  command = plan

  variables {
    github_oidc_issuer = "https://token.actions.githubusercontent.com"
  }

  expect_failures = [var.github_oidc_issuer]
}

# A subject prefix the role could never match is refused at plan time, not at the first deploy.
run "refuses_a_malformed_subject_prefix" {
  command = plan

  variables {
    # A whole subject (with its context), not the prefix.
    github_subject_prefix = "repo:acme@123456/churn@789012:environment:prod"
  }

  expect_failures = [var.github_subject_prefix]
}

run "refuses_a_prefix_without_the_repo_claim" {
  command = plan

  variables {
    github_subject_prefix = "acme/churn"
  }

  expect_failures = [var.github_subject_prefix]
}

run "pod_identity_associations_of_other_services_stay_untouchable" {
  command = plan

  variables {
    terraform_access = "apply"
  }

  assert {
    condition = alltrue([
      for s in jsondecode(output.deploy_terraform_write_policy).Statement :
      try(s.Condition.StringEquals["aws:ResourceTag/service"], null) == "churn" || (
        try(s.Condition.Null["aws:ResourceTag/service"], null) == "true" &&
        try(s.Condition.StringEquals["aws:RequestTag/service"], null) == "churn"
      )
      if contains(flatten([s.Action]), "eks:TagResource")
    ])
    error_message = "eks:TagResource must require the association's own service tag, or no service tag yet and ours in the request."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(output.deploy_terraform_write_policy).Statement :
      try(s.Condition.StringEqualsIfExists["aws:RequestTag/service"], null) == "churn"
      if contains(flatten([s.Action]), "eks:TagResource") && try(s.Condition.Null, null) == null
    ])
    error_message = "Re-tagging an own association must not change its service tag to another service."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(output.deploy_terraform_write_policy).Statement :
      try(s.Condition.StringEquals["aws:ResourceTag/service"], null) == "churn"
      if length(setintersection(flatten([s.Action]), ["eks:UpdatePodIdentityAssociation", "eks:DeletePodIdentityAssociation", "eks:UntagResource"])) > 0
    ])
    error_message = "Updating, deleting or untagging a Pod Identity association must require its own service tag."
  }

  assert {
    condition = one([
      for s in jsondecode(output.deploy_terraform_write_policy).Statement : s.Condition["ForAllValues:StringNotEquals"]["aws:TagKeys"]
      if contains(flatten([s.Action]), "eks:UntagResource") && s.Resource == "arn:aws:eks:eu-west-1:123456789012:podidentityassociation/platform-eks/*"
    ]) == ["service"]
    error_message = "The service tag of an own association must not be removable (an untagged association could be claimed)."
  }

  assert {
    condition     = length(output.deploy_terraform_write_policy) <= 6144
    error_message = "The write policy exceeds the 6,144-character limit of IAM managed policies."
  }
}

run "reads_the_chain_of_its_own_certificate_only" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
  }

  assert {
    condition = [
      for s in jsondecode(output.deploy_release_policy).Statement : s
      if contains(flatten([s.Action]), "acm:GetCertificate")
      ] == [{
        Sid      = "ReadLoadBalancerCertificateChain"
        Effect   = "Allow"
        Action   = ["acm:GetCertificate"]
        Resource = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    }]
    error_message = "The deploy role must read the chain of the load balancer's certificate (for the smoke test), and of no other."
  }
}

run "reads_no_certificate_without_one" {
  command = plan

  assert {
    condition = length([
      for s in jsondecode(output.deploy_release_policy).Statement : s
      if anytrue([for a in flatten([s.Action]) : startswith(a, "acm:")])
    ]) == 0
    error_message = "Without a certificate the deploy role needs no ACM access."
  }
}

run "refuses_a_certificate_arn_of_another_service" {
  command = plan

  variables {
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/churn"
  }

  expect_failures = [var.certificate_arn]
}

run "roles_carry_the_platform_boundary" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/ml-ci-boundary"
  }

  assert {
    condition = (
      aws_iam_role.deploy.permissions_boundary == "arn:aws:iam::123456789012:policy/ml-ci-boundary" &&
      aws_iam_role.service.permissions_boundary == "arn:aws:iam::123456789012:policy/ml-ci-boundary"
    )
    error_message = "Every role the module creates must carry the platform's permissions boundary: the Terraform role may create roles only under it."
  }
}

# Fargate: Pod Identity does not work there, so the service role is assumed through IRSA.
run "service_role_through_irsa_on_fargate" {
  command = plan

  variables {
    irsa_oidc = {
      provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"
      issuer_url   = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"
    }
  }

  assert {
    condition = (
      jsondecode(output.service_role_trust_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF" &&
      jsondecode(output.service_role_trust_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity" &&
      jsondecode(output.service_role_trust_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF:sub"] == "system:serviceaccount:ml-prod:churn" &&
      jsondecode(output.service_role_trust_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF:aud"] == "sts.amazonaws.com"
    )
    error_message = "With irsa_oidc the service role must trust only the cluster's OIDC provider for this namespace's service account."
  }

  assert {
    condition     = length(aws_eks_pod_identity_association.service) == 0 && output.service_role_delivery == "irsa"
    error_message = "With IRSA there must be no Pod Identity association (it would not reach Fargate pods)."
  }
}

run "service_role_through_pod_identity_by_default" {
  command = plan

  assert {
    condition     = length(aws_eks_pod_identity_association.service) == 1 && output.service_role_delivery == "pod-identity" && jsondecode(output.service_role_trust_policy).Statement[0].Principal.Service == "pods.eks.amazonaws.com"
    error_message = "Without irsa_oidc the service role must be delivered by an EKS Pod Identity association."
  }
}
