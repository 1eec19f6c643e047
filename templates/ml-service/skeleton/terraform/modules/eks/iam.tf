# --- Control plane role -------------------------------------------------------

resource "aws_iam_role" "cluster" {
  name                 = "${var.cluster_name}-eks-cluster"
  description          = "EKS control plane of ${var.cluster_name}."
  permissions_boundary = var.permissions_boundary_arn

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EksControlPlane"
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })

  tags = var.tags
}

# EKS Auto Mode manages EC2 instances, load balancers, EBS volumes and ENIs with the cluster role,
# hence its managed policies (and sts:TagSession in the trust policy above).
resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = toset(concat(
    ["AmazonEKSClusterPolicy"],
    local.auto_mode ? [
      "AmazonEKSComputePolicy",
      "AmazonEKSBlockStoragePolicy",
      "AmazonEKSLoadBalancingPolicy",
      "AmazonEKSNetworkingPolicy",
    ] : [],
  ))

  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

# Envelope encryption of Kubernetes secrets needs the control plane to use the key.
resource "aws_iam_role_policy" "cluster_encryption" {
  name = "secrets-encryption"
  role = aws_iam_role.cluster.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "UseSecretsKey"
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
      Resource = aws_kms_key.secrets.arn
    }]
  })
}

# --- Node role ----------------------------------------------------------------

# Nodes of the managed node group, or of EKS Auto Mode; Fargate has none.
resource "aws_iam_role" "node" {
  count = local.fargate ? 0 : 1

  name                 = "${var.cluster_name}-eks-node"
  description          = local.auto_mode ? "EKS Auto Mode nodes of ${var.cluster_name}." : "Managed node group of ${var.cluster_name}."
  permissions_boundary = var.permissions_boundary_arn

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Ec2Nodes"
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

# Auto Mode nodes need only the minimal worker and image pull policies (EKS manages their
# networking with the cluster role); node group nodes also run the VPC CNI.
resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset(local.fargate ? [] : local.auto_mode ? [
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    ] : [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
  ])

  role       = aws_iam_role.node[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

# --- IRSA (optional; always in fargate mode) ---------------------------------

# Fargate pods cannot use EKS Pod Identity, so fargate mode always creates it.
resource "aws_iam_openid_connect_provider" "cluster" {
  count = local.irsa ? 1 : 0

  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]
  # thumbprint_list is omitted: IAM validates EKS OIDC issuers against its own trusted CAs.

  tags = merge(var.tags, { Name = "${var.cluster_name}-irsa" })
}
