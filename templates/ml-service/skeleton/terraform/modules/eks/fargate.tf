# Fargate (compute_mode fargate): every pod of the profiles' namespaces runs in its own micro-VM in
# the private subnets; there are no nodes. kube-system holds CoreDNS, metrics-server and the AWS Load
# Balancer Controller, so it needs a profile too.

# Used by Fargate to pull images and write logs, not by the pods' own code.
resource "aws_iam_role" "fargate" {
  count = local.fargate ? 1 : 0

  name                 = "${var.cluster_name}-eks-fargate"
  description          = "Fargate pod execution role of ${var.cluster_name}."
  permissions_boundary = var.permissions_boundary_arn

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "FargatePodsOfThisCluster"
      Effect    = "Allow"
      Principal = { Service = "eks-fargate-pods.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        ArnLike = { "aws:SourceArn" = "${replace(aws_eks_cluster.this.arn, ":cluster/", ":fargateprofile/")}/*" }
      }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "fargate" {
  count = local.fargate ? 1 : 0

  role       = aws_iam_role.fargate[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"
}

# EKS creates or deletes one Fargate profile of a cluster at a time, hence two profiles in order.
resource "aws_eks_fargate_profile" "kube_system" {
  count = local.fargate ? 1 : 0

  cluster_name           = aws_eks_cluster.this.name
  fargate_profile_name   = "kube-system"
  pod_execution_role_arn = aws_iam_role.fargate[0].arn
  # Fargate takes private subnets only.
  subnet_ids = var.subnet_ids

  selector {
    namespace = "kube-system"
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy_attachment.fargate]
}

resource "aws_eks_fargate_profile" "service" {
  count = local.fargate ? 1 : 0

  cluster_name           = aws_eks_cluster.this.name
  fargate_profile_name   = "service"
  pod_execution_role_arn = aws_iam_role.fargate[0].arn
  subnet_ids             = var.subnet_ids

  dynamic "selector" {
    for_each = var.fargate_namespaces
    content {
      namespace = selector.value
    }
  }

  tags = var.tags

  depends_on = [aws_eks_fargate_profile.kube_system]

  lifecycle {
    precondition {
      condition     = length(var.fargate_namespaces) >= 1 && length(var.fargate_namespaces) <= 5
      error_message = "fargate_namespaces must list 1 to 5 namespaces (the selectors of one Fargate profile) in compute_mode fargate."
    }
  }
}
