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
  description = "IAM OIDC provider of the cluster (IRSA), or null when there is none (enable_irsa false outside fargate mode)."
  value       = one(aws_iam_openid_connect_provider.cluster[*].arn)
}

output "cluster_role_arn" {
  description = "IAM role of the control plane."
  value       = aws_iam_role.cluster.arn
}

output "cluster_role_policies" {
  description = "AWS managed policies attached to the control-plane role (names)."
  value       = keys(aws_iam_role_policy_attachment.cluster)
}

output "compute_mode" {
  description = "How the cluster runs pods: auto, nodegroup or fargate."
  value       = var.compute_mode
}

output "auto_mode" {
  description = "EKS Auto Mode settings of the cluster: compute (enabled, node pools, node role), load balancing and block storage; all false/empty outside compute_mode auto."
  value = {
    compute_enabled        = coalesce(one(aws_eks_cluster.this.compute_config[*].enabled), false)
    node_pools             = coalesce(one(aws_eks_cluster.this.compute_config[*].node_pools), [])
    node_role_arn          = one(aws_eks_cluster.this.compute_config[*].node_role_arn)
    load_balancing_enabled = coalesce(one(flatten(aws_eks_cluster.this.kubernetes_network_config[*].elastic_load_balancing[*].enabled)), false)
    block_storage_enabled  = coalesce(one(flatten(aws_eks_cluster.this.storage_config[*].block_storage[*].enabled)), false)
    self_managed_addons    = aws_eks_cluster.this.bootstrap_self_managed_addons
  }
}

output "node_role_arn" {
  description = "IAM role of the nodes (node group or EKS Auto Mode), or null on Fargate."
  value       = one(aws_iam_role.node[*].arn)
}

output "node_role_name" {
  description = "Name of the IAM role of the nodes, or null on Fargate."
  value       = one(aws_iam_role.node[*].name)
}

output "node_role_policies" {
  description = "AWS managed policies attached to the node role (names)."
  value       = keys(aws_iam_role_policy_attachment.node)
}

output "node_group_name" {
  description = "Name of the managed node group, or null outside compute_mode nodegroup."
  value       = one(aws_eks_node_group.this[*].node_group_name)
}

output "node_group_instance_types" {
  description = "Instance types of the managed node group, or null outside compute_mode nodegroup."
  value       = one(aws_eks_node_group.this[*].instance_types)
}

output "node_group_scaling" {
  description = "min_size, max_size and initial desired_size of the managed node group, or null outside compute_mode nodegroup."
  value = local.nodegroup ? {
    min_size     = aws_eks_node_group.this[0].scaling_config[0].min_size
    max_size     = aws_eks_node_group.this[0].scaling_config[0].max_size
    desired_size = aws_eks_node_group.this[0].scaling_config[0].desired_size
  } : null
}

output "node_ami_type" {
  description = "AMI type of the managed node group, or null outside compute_mode nodegroup."
  value       = one(aws_eks_node_group.this[*].ami_type)
}

output "launch_template_id" {
  description = "Launch template of the managed node group, or null outside compute_mode nodegroup."
  value       = one(aws_launch_template.node[*].id)
}

output "launch_template_metadata_options" {
  description = "Instance metadata settings the node group's nodes are launched with (IMDSv2 enforced), or null outside compute_mode nodegroup."
  value = local.nodegroup ? {
    http_endpoint               = aws_launch_template.node[0].metadata_options[0].http_endpoint
    http_tokens                 = aws_launch_template.node[0].metadata_options[0].http_tokens
    http_put_response_hop_limit = aws_launch_template.node[0].metadata_options[0].http_put_response_hop_limit
  } : null
}

output "root_volume" {
  description = "Root volume settings of the node group's nodes, or null outside compute_mode nodegroup."
  value = local.nodegroup ? {
    volume_type = aws_launch_template.node[0].block_device_mappings[0].ebs[0].volume_type
    encrypted   = aws_launch_template.node[0].block_device_mappings[0].ebs[0].encrypted
    volume_size = aws_launch_template.node[0].block_device_mappings[0].ebs[0].volume_size
  } : null
}

output "fargate_profiles" {
  description = "Fargate profiles: name => namespaces they select (empty outside compute_mode fargate)."
  value = {
    for p in concat(aws_eks_fargate_profile.kube_system, aws_eks_fargate_profile.service) :
    p.fargate_profile_name => [for sel in p.selector : sel.namespace]
  }
}

output "fargate_pod_execution_role_arn" {
  description = "Pod execution role of the Fargate profiles, or null outside compute_mode fargate."
  value       = one(aws_iam_role.fargate[*].arn)
}

output "load_balancer_controller_role_arn" {
  description = "IAM role of the AWS Load Balancer Controller (kube-system/aws-load-balancer-controller): EKS Pod Identity in nodegroup mode, IRSA in fargate mode (annotate the service account with eks.amazonaws.com/role-arn); null in auto mode, where EKS balances load itself."
  value       = try(aws_iam_role.controller["load_balancer_controller"].arn, null)
}

output "cluster_autoscaler_role_arn" {
  description = "IAM role of the Cluster Autoscaler (kube-system/cluster-autoscaler, EKS Pod Identity); null outside nodegroup mode."
  value       = try(aws_iam_role.controller["cluster_autoscaler"].arn, null)
}

output "controller_role_trust_policies" {
  description = "Trust policies (JSON) of the controller roles, by controller (load_balancer_controller, cluster_autoscaler)."
  value       = { for k, r in aws_iam_role.controller : k => r.assume_role_policy }
}

output "load_balancer_controller_policy" {
  description = "The AWS Load Balancer Controller's IAM policy (JSON), or null in auto mode."
  value       = one(aws_iam_policy.load_balancer_controller[*].policy)
}

output "cluster_autoscaler_policy" {
  description = "The Cluster Autoscaler's IAM policy (JSON), or null outside nodegroup mode."
  value       = one(aws_iam_role_policy.cluster_autoscaler[*].policy)
}

output "controller_pod_identity_associations" {
  description = "Pod Identity associations of the controllers: controller => \"<namespace>/<service account>\" (nodegroup mode only)."
  value       = { for k, a in aws_eks_pod_identity_association.controller : k => "${a.namespace}/${a.service_account}" }
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
