output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "aws_region" {
  description = "AWS region of the environment."
  value       = var.aws_region
}

output "cluster_name" {
  description = "EKS cluster the service runs in (`aws eks update-kubeconfig --name <this>`)."
  value       = local.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = local.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA bundle of the cluster's Kubernetes API; Backstage's cluster discovery reads it from the state."
  value       = local.cluster_ca_data
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = local.cluster_arn
}

output "cluster_created" {
  description = "Whether this stack created the cluster (false: existing cluster)."
  value       = var.create_cluster
}

output "compute_mode" {
  description = "How the cluster runs pods: auto (EKS Auto Mode), nodegroup or fargate for a cluster this stack created, \"existing\" for an existing cluster."
  value       = var.create_cluster ? var.compute_mode : "existing"
}

output "vpc_cidr" {
  description = "IPv4 range of the new cluster's VPC (the NetworkPolicy admits load balancer traffic from it), or null for an existing cluster."
  value       = var.create_cluster ? module.vpc[0].vpc_cidr_block : null
}

output "vpc_id" {
  description = "VPC created for the cluster, or null for an existing cluster."
  value       = var.create_cluster ? module.vpc[0].vpc_id : null
}

output "namespace" {
  description = "Kubernetes namespace of the service."
  value       = var.namespace
}

output "service_account_name" {
  description = "Kubernetes service account bound to the service role (see service_role_delivery)."
  value       = var.service_account_name
}

output "service_role_arn" {
  description = "IAM role of the service pods. With service_role_delivery \"irsa\" (compute_mode fargate) the service account must carry the annotation eks.amazonaws.com/role-arn = this ARN; with \"pod-identity\" an EKS Pod Identity association delivers it and no annotation is needed."
  value       = module.iam.service_role_arn
}

output "service_role_delivery" {
  description = "How the service pods get service_role_arn: \"pod-identity\" (EKS Pod Identity association) or \"irsa\" (on Fargate, where Pod Identity does not work: annotate the service account with eks.amazonaws.com/role-arn)."
  value       = module.iam.service_role_delivery
}

output "load_balancer_controller_role_arn" {
  description = "IAM role of the AWS Load Balancer Controller, service account kube-system/aws-load-balancer-controller (the deploy workflow installs its Helm chart, v3.5.0, whose IAM policy this role carries). compute_mode nodegroup: delivered by an EKS Pod Identity association, no annotation. compute_mode fargate: IRSA, so annotate the service account with eks.amazonaws.com/role-arn = this ARN (Pod Identity does not work on Fargate), and pass the chart vpcId and region (no instance metadata on Fargate). null in auto mode (EKS Auto Mode balances load itself) and for an existing cluster."
  value       = var.create_cluster ? module.eks[0].load_balancer_controller_role_arn : null
}

output "cluster_autoscaler_role_arn" {
  description = "IAM role of the Cluster Autoscaler, service account kube-system/cluster-autoscaler, delivered by an EKS Pod Identity association (compute_mode nodegroup only; it may resize only this cluster's node group). null otherwise."
  value       = var.create_cluster ? module.eks[0].cluster_autoscaler_role_arn : null
}

output "deploy_role_arn" {
  description = "IAM role GitHub Actions assumes for this environment (role-to-assume)."
  value       = module.iam.deploy_role_arn
}

output "models_bucket_name" {
  description = "Bucket of the trained models."
  value       = module.s3.bucket_names["models"]
}

output "data_bucket_name" {
  description = "Bucket of training data."
  value       = module.s3.bucket_names["data"]
}

output "artifacts_bucket_name" {
  description = "Bucket of training artefacts (metrics, reports)."
  value       = module.s3.bucket_names["artifacts"]
}

output "bucket_names" {
  description = "All service buckets by purpose."
  value       = module.s3.bucket_names
}

output "buckets_kms_key_arn" {
  description = "KMS key encrypting the service buckets."
  value       = module.s3.kms_key_arn
}

output "ecr_repository_url" {
  description = "URI of the service's ECR repository."
  value       = local.ecr_repository_url
}

output "backstage_kubernetes_group" {
  description = "Kubernetes group of Backstage's access entry: made here on a new cluster (null when backstage_role_arn is null), made once by the platform on an existing cluster."
  value       = var.create_cluster && var.backstage_role_arn == null ? null : var.backstage_kubernetes_group
}
