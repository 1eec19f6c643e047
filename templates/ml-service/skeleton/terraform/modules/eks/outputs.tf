output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA bundle of the Kubernetes API."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and the managed nodes."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "endpoint_private_access" {
  description = "Whether the private API endpoint is enabled (always true)."
  value       = aws_eks_cluster.this.vpc_config[0].endpoint_private_access
}

output "endpoint_public_access" {
  description = "Whether the public API endpoint is enabled."
  value       = aws_eks_cluster.this.vpc_config[0].endpoint_public_access
}

output "authentication_mode" {
  description = "Authentication mode of the cluster."
  value       = aws_eks_cluster.this.access_config[0].authentication_mode
}

output "secrets_kms_key_arn" {
  description = "KMS key encrypting Kubernetes secrets."
  value       = aws_kms_key.secrets.arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the cluster."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster (IRSA), or null when enable_irsa is false."
  value       = var.enable_irsa ? aws_iam_openid_connect_provider.cluster[0].arn : null
}

output "cluster_role_arn" {
  description = "IAM role of the control plane."
  value       = aws_iam_role.cluster.arn
}

output "node_role_arn" {
  description = "IAM role of the nodes."
  value       = aws_iam_role.node.arn
}

output "node_role_name" {
  description = "Name of the IAM role of the nodes."
  value       = aws_iam_role.node.name
}

output "node_group_name" {
  description = "Name of the managed node group."
  value       = aws_eks_node_group.this.node_group_name
}

output "node_group_instance_types" {
  description = "Instance types of the managed node group."
  value       = aws_eks_node_group.this.instance_types
}

output "node_group_scaling" {
  description = "min_size, max_size and initial desired_size of the managed node group."
  value = {
    min_size     = aws_eks_node_group.this.scaling_config[0].min_size
    max_size     = aws_eks_node_group.this.scaling_config[0].max_size
    desired_size = aws_eks_node_group.this.scaling_config[0].desired_size
  }
}

output "node_ami_type" {
  description = "AMI type of the managed node group."
  value       = aws_eks_node_group.this.ami_type
}

output "launch_template_id" {
  description = "Launch template of the managed node group."
  value       = aws_launch_template.node.id
}

output "launch_template_metadata_options" {
  description = "Instance metadata settings the nodes are launched with (IMDSv2 enforced)."
  value = {
    http_endpoint               = aws_launch_template.node.metadata_options[0].http_endpoint
    http_tokens                 = aws_launch_template.node.metadata_options[0].http_tokens
    http_put_response_hop_limit = aws_launch_template.node.metadata_options[0].http_put_response_hop_limit
  }
}

output "root_volume" {
  description = "Root volume settings of the nodes."
  value = {
    volume_type = aws_launch_template.node.block_device_mappings[0].ebs[0].volume_type
    encrypted   = aws_launch_template.node.block_device_mappings[0].ebs[0].encrypted
    volume_size = aws_launch_template.node.block_device_mappings[0].ebs[0].volume_size
  }
}

output "addons" {
  description = "Managed add-ons: name => { version, configuration_values }."
  value = {
    for k, a in merge(aws_eks_addon.before_compute, aws_eks_addon.after_compute) :
    k => { version = a.addon_version, configuration_values = a.configuration_values }
  }
}

output "access_entry_principals" {
  description = "Principals with access entries: key => principal ARN."
  value       = { for k, e in aws_eks_access_entry.this : k => e.principal_arn }
}

output "group_access_entries" {
  description = "Access entries with no access policy: key => principal ARN and Kubernetes groups."
  value       = { for k, e in aws_eks_access_entry.groups : k => { principal_arn = e.principal_arn, kubernetes_groups = e.kubernetes_groups } }
}
