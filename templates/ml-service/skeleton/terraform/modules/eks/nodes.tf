# The managed node group (compute_mode nodegroup only).

resource "aws_launch_template" "node" {
  count = local.nodegroup ? 1 : 0

  name_prefix            = "${var.cluster_name}-node-"
  description            = "Managed node group of EKS cluster ${var.cluster_name}"
  update_default_version = true

  metadata_options {
    http_endpoint = "enabled"
    # IMDSv2 only.
    http_tokens = "required"
    # 1 = only processes on the node itself (including hostNetwork pods such as
    # the VPC CNI) reach IMDS; regular pods cannot take the node role's
    # credentials and use EKS Pod Identity. See var.node_metadata_hop_limit.
    http_put_response_hop_limit = var.node_metadata_hop_limit
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    # Root device of the EKS-optimized AL2023 AMIs.
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.node_disk_size_gib
      volume_type           = "gp3"
      encrypted             = true
      kms_key_id            = var.node_volume_kms_key_arn
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.cluster_name}-node" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = "${var.cluster_name}-node" })
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# EKS tags the group's Auto Scaling group with k8s.io/cluster-autoscaler/enabled and
# k8s.io/cluster-autoscaler/<cluster>, which the Cluster Autoscaler discovers it by (and its
# role's permissions are conditioned on).
resource "aws_eks_node_group" "this" {
  count = local.nodegroup ? 1 : 0

  cluster_name           = aws_eks_cluster.this.name
  node_group_name_prefix = "default-"
  node_role_arn          = aws_iam_role.node[0].arn
  subnet_ids             = var.subnet_ids
  version                = aws_eks_cluster.this.version

  ami_type       = local.node_ami_type
  capacity_type  = var.node_capacity_type
  instance_types = var.node_instance_types
  labels         = var.node_labels

  scaling_config {
    min_size     = var.node_min_size
    max_size     = var.node_max_size
    desired_size = coalesce(var.node_desired_size, var.node_min_size)
  }

  update_config {
    max_unavailable_percentage = var.node_max_unavailable_percentage
  }

  launch_template {
    id      = aws_launch_template.node[0].id
    version = aws_launch_template.node[0].latest_version
  }

  tags = var.tags

  lifecycle {
    # Replacements (e.g. other instance types) bring the new group up first.
    create_before_destroy = true
    # Leave the current size to autoscalers.
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_eks_addon.before_compute,
  ]
}
