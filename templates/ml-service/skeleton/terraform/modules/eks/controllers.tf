# IAM roles of the cluster controllers the deploy workflow installs with Helm (the AWS provider
# cannot install charts): the AWS Load Balancer Controller (nodegroup and fargate; EKS Auto Mode
# has its own load balancing) and the Cluster Autoscaler (nodegroup). Both run in kube-system under
# the service accounts below. On a node group the roles are delivered by EKS Pod Identity; on
# Fargate, where Pod Identity does not work, by IRSA: the service account must then carry the
# annotation eks.amazonaws.com/role-arn = <role ARN>.

locals {
  controllers = merge(
    local.auto_mode ? {} : {
      load_balancer_controller = {
        service_account = "aws-load-balancer-controller"
        role_suffix     = "lbc"
        description     = "AWS Load Balancer Controller"
      }
    },
    local.nodegroup ? {
      cluster_autoscaler = {
        service_account = "cluster-autoscaler"
        role_suffix     = "ca"
        description     = "Cluster Autoscaler"
      }
    } : {},
  )

  oidc_issuer_host = trimprefix(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://")
}

resource "aws_iam_role" "controller" {
  for_each = local.controllers

  # "-eks-" keeps the names under the cluster's role prefix; the suffix fits the 64-character limit.
  name                 = "${var.cluster_name}-eks-${each.value.role_suffix}"
  description          = "${each.value.description} of ${var.cluster_name} (kube-system/${each.value.service_account}, ${local.fargate ? "IRSA" : "EKS Pod Identity"})."
  permissions_boundary = var.permissions_boundary_arn

  assume_role_policy = local.fargate ? jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Irsa"
      Effect    = "Allow"
      Principal = { Federated = one(aws_iam_openid_connect_provider.cluster[*].arn) }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_issuer_host}:sub" = "system:serviceaccount:kube-system:${each.value.service_account}"
          "${local.oidc_issuer_host}:aud" = "sts.amazonaws.com"
        }
      }
    }]
    }) : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EksPodIdentity"
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      # Pod Identity's session tags: only this service account of this cluster.
      Condition = {
        StringEquals = {
          "aws:RequestTag/eks-cluster-name"           = var.cluster_name
          "aws:RequestTag/kubernetes-namespace"       = "kube-system"
          "aws:RequestTag/kubernetes-service-account" = each.value.service_account
        }
      }
    }]
  })

  tags = var.tags
}

resource "aws_eks_pod_identity_association" "controller" {
  for_each = local.nodegroup ? local.controllers : {}

  cluster_name    = aws_eks_cluster.this.name
  namespace       = "kube-system"
  service_account = each.value.service_account
  role_arn        = aws_iam_role.controller[each.key].arn

  tags = var.tags
}

# The controller's own policy, unchanged: docs/install/iam_policy.json of
# https://github.com/kubernetes-sigs/aws-load-balancer-controller at tag v3.5.0
# (https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v3.5.0/docs/install/iam_policy.json).
# Update it together with the chart version the deploy workflow installs.
resource "aws_iam_policy" "load_balancer_controller" {
  count = contains(keys(local.controllers), "load_balancer_controller") ? 1 : 0

  name        = "${var.cluster_name}-eks-lbc"
  description = "AWS Load Balancer Controller v3.5.0 of ${var.cluster_name} (the controller's documented iam_policy.json)."
  policy      = file("${path.module}/policies/aws-load-balancer-controller.json")

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "load_balancer_controller" {
  count = length(aws_iam_policy.load_balancer_controller)

  role       = aws_iam_role.controller["load_balancer_controller"].name
  policy_arn = aws_iam_policy.load_balancer_controller[0].arn
}

# As the Cluster Autoscaler's AWS documentation recommends: describe anything, but change only
# the Auto Scaling groups EKS tagged for this cluster's autoscaler (its managed node groups').
resource "aws_iam_role_policy" "cluster_autoscaler" {
  count = contains(keys(local.controllers), "cluster_autoscaler") ? 1 : 0

  name = "cluster-autoscaler"
  role = aws_iam_role.controller["cluster_autoscaler"].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "Discover"
        Effect = "Allow"
        Action = [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ]
        Resource = "*"
      },
      {
        Sid      = "DescribeOwnNodeGroups"
        Effect   = "Allow"
        Action   = ["eks:DescribeNodegroup"]
        Resource = "arn:${data.aws_partition.current.partition}:eks:*:*:nodegroup/${var.cluster_name}/*"
      },
      {
        Sid      = "ScaleOwnNodeGroups"
        Effect   = "Allow"
        Action   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
        Resource = "*"
        Condition = {
          StringEquals = {
            "aws:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}" = "owned"
            "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled"             = "true"
          }
        }
      },
    ]
  })
}
