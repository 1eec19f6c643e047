data "aws_partition" "current" {}

locals {
  auto_mode = var.compute_mode == "auto"
  nodegroup = var.compute_mode == "nodegroup"
  fargate   = var.compute_mode == "fargate"
  # IRSA (the cluster's IAM OIDC provider): EKS Pod Identity does not work on Fargate.
  irsa = var.enable_irsa || local.fargate

  gpu_instances = anytrue([for t in var.node_instance_types : can(regex("^(g|p)[0-9]", t))])
  arm_instances = alltrue([for t in var.node_instance_types : can(regex("^[a-z]+[0-9]+g[a-z]*\\.", t))])
  node_ami_type = coalesce(
    var.node_ami_type,
    local.gpu_instances ? (local.arm_instances ? "AL2023_ARM_64_NVIDIA" : "AL2023_x86_64_NVIDIA") : (local.arm_instances ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD"),
  )

  # EKS add-ons per compute mode. before_compute: DaemonSets that must run before nodes join
  # (networking, kube-proxy, the Pod Identity agent); the rest are Deployments that need compute.
  # - auto: VPC CNI, kube-proxy, CoreDNS, the Pod Identity agent, the EBS CSI driver and the load
  #   balancer controller are part of EKS Auto Mode itself, not add-ons; only metrics-server is added.
  # - fargate: no DaemonSet runs on Fargate (each pod's micro-VM brings its own networking and
  #   kube-proxy); CoreDNS is told to run on Fargate (it defaults to EC2 nodes).
  addon_config = merge(
    local.nodegroup ? {
      "vpc-cni" = {
        # Turns on the VPC CNI's network policy agent so Kubernetes NetworkPolicies are enforced.
        configuration_values = jsonencode({ enableNetworkPolicy = "true" })
        before_compute       = true
      }
      "kube-proxy" = {
        configuration_values = null
        before_compute       = true
      }
      "eks-pod-identity-agent" = {
        configuration_values = null
        before_compute       = true
      }
      "coredns" = {
        configuration_values = null
        before_compute       = false
      }
    } : {},
    local.fargate ? {
      "coredns" = {
        configuration_values = jsonencode({ computeType = "Fargate" })
        before_compute       = false
      }
    } : {},
    {
      # The resource metrics API (metrics.k8s.io) the HorizontalPodAutoscaler reads CPU from.
      # The add-on listens on 10251, so it also runs on Fargate (which reserves 10250).
      "metrics-server" = {
        configuration_values = null
        before_compute       = false
      }
    },
  )

  access_entries = merge(
    {
      for arn in var.admin_role_arns : "admin:${arn}" => {
        principal_arn = arn
        policy_name   = "AmazonEKSClusterAdminPolicy"
        scope_type    = "cluster"
        namespaces    = []
      }
    },
    var.access_entries,
  )
}

# --- Secrets encryption key ---------------------------------------------------

resource "aws_kms_key" "secrets" {
  description             = "Envelope encryption of Kubernetes secrets in EKS cluster ${var.cluster_name}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days

  tags = var.tags
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/eks/${var.cluster_name}"
  target_key_id = aws_kms_key.secrets.key_id
}

# --- Control plane ------------------------------------------------------------

# Created up front so retention is managed (EKS would otherwise create it with
# infinite retention on first log delivery).
resource "aws_cloudwatch_log_group" "cluster" {
  name              = "/aws/eks/${var.cluster_name}/cluster"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  enabled_cluster_log_types = var.cluster_log_types

  # No self-managed vpc-cni, kube-proxy and CoreDNS: the managed add-ons below replace them with a
  # node group, and EKS Auto Mode (which requires false) and Fargate need none of them.
  bootstrap_self_managed_addons = false

  # EKS Auto Mode: EKS runs the nodes (its general-purpose and system node pools, scaled to the
  # pending pods), load balancers for Ingress and Service objects, and EBS volumes. All three
  # settings are required together.
  dynamic "compute_config" {
    for_each = local.auto_mode ? [1] : []
    content {
      enabled       = true
      node_pools    = var.auto_mode_node_pools
      node_role_arn = aws_iam_role.node[0].arn
    }
  }

  dynamic "kubernetes_network_config" {
    for_each = local.auto_mode ? [1] : []
    content {
      elastic_load_balancing {
        enabled = true
      }
    }
  }

  dynamic "storage_config" {
    for_each = local.auto_mode ? [1] : []
    content {
      block_storage {
        enabled = true
      }
    }
  }

  access_config {
    authentication_mode = var.authentication_mode
    # No implicit cluster-admin for whoever runs the first apply: access is
    # granted explicitly through access entries (admin_role_arns, access_entries).
    bootstrap_cluster_creator_admin_permissions = false
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    public_access_cidrs     = var.endpoint_public_access ? var.public_access_cidrs : null
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.secrets.arn
    }
  }

  upgrade_policy {
    support_type = var.support_type
  }

  tags = var.tags

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy_attachment.node,
    aws_iam_role_policy.cluster_encryption,
    aws_cloudwatch_log_group.cluster,
  ]
}

# --- Access entries -----------------------------------------------------------

resource "aws_eks_access_entry" "this" {
  for_each = local.access_entries

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  type          = "STANDARD"

  tags = var.tags
}

resource "aws_eks_access_policy_association" "this" {
  for_each = local.access_entries

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.this[each.key].principal_arn
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/${each.value.policy_name}"

  access_scope {
    type       = each.value.scope_type
    namespaces = each.value.scope_type == "namespace" ? each.value.namespaces : null
  }
}

# Entries mapped to Kubernetes groups only (no access policy): RBAC in the
# cluster decides what they may do.
resource "aws_eks_access_entry" "groups" {
  for_each = var.group_access_entries

  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = each.value.principal_arn
  kubernetes_groups = each.value.kubernetes_groups
  type              = "STANDARD"

  tags = var.tags
}

# --- Add-ons ------------------------------------------------------------------

data "aws_eks_addon_version" "this" {
  for_each = local.addon_config

  addon_name         = each.key
  kubernetes_version = aws_eks_cluster.this.version
  most_recent        = false
}

resource "aws_eks_addon" "before_compute" {
  for_each = { for k, v in local.addon_config : k => v if v.before_compute }

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = lookup(var.addon_versions, each.key, data.aws_eks_addon_version.this[each.key].version)
  configuration_values        = each.value.configuration_values
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = var.tags
}

resource "aws_eks_addon" "after_compute" {
  for_each = { for k, v in local.addon_config : k => v if !v.before_compute }

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = lookup(var.addon_versions, each.key, data.aws_eks_addon_version.this[each.key].version)
  configuration_values        = each.value.configuration_values
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = var.tags

  # Deployments: they become ACTIVE only once their pods run somewhere.
  depends_on = [aws_eks_node_group.this, aws_eks_fargate_profile.kube_system, aws_eks_fargate_profile.service]
}
