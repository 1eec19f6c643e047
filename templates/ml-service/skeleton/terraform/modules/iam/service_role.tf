# IAM role of the service's pods, delivered by EKS Pod Identity, or by IRSA (irsa_oidc set) where
# Pod Identity does not work: on Fargate. With IRSA the pods' service account must carry the
# annotation eks.amazonaws.com/role-arn = <this role's ARN>; there is no Pod Identity association.

locals {
  models_bucket_arn   = "arn:${local.partition}:s3:::${var.models_bucket_name}"
  models_read_objects = var.models_read_prefix == "" ? "${local.models_bucket_arn}/*" : "${local.models_bucket_arn}/${trimsuffix(var.models_read_prefix, "/")}/*"

  service_trust_conditions = merge(
    {
      "aws:SourceAccount"                         = var.aws_account_id
      "aws:RequestTag/kubernetes-namespace"       = var.namespace
      "aws:RequestTag/kubernetes-service-account" = var.service_account_name
    },
    { for k, v in { "aws:RequestTag/eks-cluster-name" = var.cluster_name } : k => v if v != null },
  )

  irsa_issuer_host = var.irsa_oidc == null ? null : trimprefix(var.irsa_oidc.issuer_url, "https://")
}

resource "aws_iam_role" "service" {
  name        = "${var.name_prefix}-service"
  description = "${var.irsa_oidc == null ? "EKS Pod Identity" : "IRSA"} role of ${var.service_name} (${var.namespace}/${var.service_account_name}); reads models."

  # Pod Identity passes the cluster, namespace and service account as session
  # tags, so the role can only be used by this service account (even if
  # another association in the account pointed at it).
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = var.irsa_oidc == null ? jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EksPodIdentity"
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = { StringEquals = local.service_trust_conditions }
    }]
    }) : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # The cluster's OIDC provider vouches for the pod's service account token.
      Sid       = "Irsa"
      Effect    = "Allow"
      Principal = { Federated = var.irsa_oidc.provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.irsa_issuer_host}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account_name}"
          "${local.irsa_issuer_host}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "service_models_read" {
  name = "read-models"
  role = aws_iam_role.service.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        merge(
          {
            Sid      = "ListModels"
            Effect   = "Allow"
            Action   = ["s3:ListBucket"]
            Resource = local.models_bucket_arn
          },
          {
            for k, v in {
              Condition = { StringLike = { "s3:prefix" = ["${trimsuffix(var.models_read_prefix, "/")}/*"] } }
            } : k => v if var.models_read_prefix != ""
          },
        ),
        {
          Sid      = "ReadModels"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:GetObjectVersion"]
          Resource = local.models_read_objects
        },
      ],
      [for s in [
        {
          Sid      = "DecryptModels"
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = var.bucket_kms_key_arn
          Condition = {
            StringEquals = { "kms:ViaService" = "s3.${var.aws_region}.amazonaws.com" }
          }
        },
      ] : s if var.bucket_kms_key_arn != null],
    )
  })
}

resource "aws_eks_pod_identity_association" "service" {
  count = var.create_pod_identity_association && var.cluster_name != null && var.irsa_oidc == null ? 1 : 0

  cluster_name    = var.cluster_name
  namespace       = var.namespace
  service_account = var.service_account_name
  role_arn        = aws_iam_role.service.arn

  tags = var.tags
}
