# Plan-only tests of the three compute modes against a mocked AWS provider (no credentials, no network):
#
#   terraform init -backend=false && terraform test
#
# Each fails if its mode loses what the service needs to be reached and scaled: a load balancer
# for the Ingress, somewhere for pods to run, and the metrics API of the HorizontalPodAutoscaler.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }

  mock_data "aws_eks_addon_version" {
    defaults = {
      version = "v1.0.0-eksbuild.1"
    }
  }
}

# Known at plan time, so the trust policies that name them can be checked.
override_resource {
  target          = aws_eks_cluster.this
  override_during = plan
  values = {
    arn                   = "arn:aws:eks:eu-west-1:123456789012:cluster/churn-prod"
    identity              = [{ oidc = [{ issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" }] }]
    certificate_authority = [{ data = "Q0EgZGF0YQ==" }]
  }
}

override_resource {
  target          = aws_iam_openid_connect_provider.cluster
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
  }
}

override_resource {
  target          = aws_iam_role.node
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:role/churn-prod-eks-node"
  }
}

variables {
  cluster_name             = "churn-prod"
  kubernetes_version       = "1.36"
  subnet_ids               = ["subnet-a", "subnet-b", "subnet-c"]
  node_instance_types      = ["m6i.large"]
  node_min_size            = 2
  node_max_size            = 5
  fargate_namespaces       = ["ml-services"]
  permissions_boundary_arn = "arn:aws:iam::123456789012:policy/ml-ci-boundary"
}

run "auto_mode" {
  command = plan

  variables {
    compute_mode = "auto"
  }

  assert {
    condition = (
      output.auto_mode.compute_enabled &&
      toset(output.auto_mode.node_pools) == toset(["general-purpose", "system"]) &&
      output.auto_mode.load_balancing_enabled &&
      output.auto_mode.block_storage_enabled &&
      output.auto_mode.self_managed_addons == false
    )
    error_message = "EKS Auto Mode needs compute (general-purpose and system pools), elastic load balancing and block storage enabled together, without self-managed add-ons."
  }

  assert {
    condition     = one(aws_eks_cluster.this.compute_config[*].node_role_arn) == "arn:aws:iam::123456789012:role/churn-prod-eks-node"
    error_message = "Auto Mode nodes must use the module's node role."
  }

  assert {
    condition     = toset(output.cluster_role_policies) == toset(["AmazonEKSClusterPolicy", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy", "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"])
    error_message = "The Auto Mode cluster role needs the cluster, compute, block storage, load balancing and networking managed policies."
  }

  assert {
    condition     = contains(jsondecode(aws_iam_role.cluster.assume_role_policy).Statement[0].Action, "sts:TagSession")
    error_message = "The Auto Mode cluster role must trust eks.amazonaws.com with sts:TagSession."
  }

  assert {
    condition     = toset(output.node_role_policies) == toset(["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"])
    error_message = "Auto Mode nodes need exactly the minimal worker node and image pull policies."
  }

  assert {
    condition     = length(aws_eks_node_group.this) == 0 && length(aws_launch_template.node) == 0 && length(aws_eks_fargate_profile.kube_system) == 0
    error_message = "Auto Mode runs its own nodes: no managed node group, launch template or Fargate profile."
  }

  assert {
    condition     = toset(keys(output.addons)) == toset(["metrics-server"])
    error_message = "Auto Mode brings networking, DNS and Pod Identity itself; only metrics-server (for the HPA) is an add-on."
  }

  assert {
    condition     = output.load_balancer_controller_role_arn == null && output.cluster_autoscaler_role_arn == null && length(aws_iam_role.controller) == 0
    error_message = "Auto Mode balances load and scales nodes itself: no controller roles."
  }

  assert {
    condition = alltrue([
      for r in concat([aws_iam_role.cluster], aws_iam_role.node, aws_iam_role.fargate, values(aws_iam_role.controller)) :
      r.permissions_boundary == var.permissions_boundary_arn
    ])
    error_message = "Every role must carry the platform's permissions boundary."
  }
}

run "nodegroup_mode" {
  command = plan

  variables {
    compute_mode = "nodegroup"
  }

  assert {
    condition     = output.auto_mode.compute_enabled == false && output.auto_mode.load_balancing_enabled == false && length(aws_eks_node_group.this) == 1
    error_message = "nodegroup mode must run a managed node group, not Auto Mode."
  }

  assert {
    condition     = toset(keys(output.addons)) == toset(["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent", "metrics-server"])
    error_message = "A node group needs the vpc-cni, kube-proxy, CoreDNS and Pod Identity agent add-ons, and metrics-server for the HPA."
  }

  assert {
    condition     = jsondecode(output.addons["vpc-cni"].configuration_values).enableNetworkPolicy == "true"
    error_message = "The vpc-cni add-on must enforce NetworkPolicies."
  }

  assert {
    condition = (
      aws_eks_pod_identity_association.controller["load_balancer_controller"].namespace == "kube-system" &&
      aws_eks_pod_identity_association.controller["load_balancer_controller"].service_account == "aws-load-balancer-controller" &&
      jsondecode(output.controller_role_trust_policies["load_balancer_controller"]).Statement[0].Principal.Service == "pods.eks.amazonaws.com"
    )
    error_message = "The AWS Load Balancer Controller needs its role through a Pod Identity association for kube-system/aws-load-balancer-controller."
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(output.load_balancer_controller_policy).Statement : s.Action]), "elasticloadbalancing:CreateLoadBalancer") && length(aws_iam_role_policy_attachment.load_balancer_controller) == 1
    error_message = "The AWS Load Balancer Controller's role must carry its documented policy."
  }

  assert {
    condition = (
      aws_eks_pod_identity_association.controller["cluster_autoscaler"].namespace == "kube-system" &&
      aws_eks_pod_identity_association.controller["cluster_autoscaler"].service_account == "cluster-autoscaler"
    )
    error_message = "The Cluster Autoscaler needs its role through a Pod Identity association for kube-system/cluster-autoscaler."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(output.cluster_autoscaler_policy).Statement :
      s.Condition.StringEquals["aws:ResourceTag/k8s.io/cluster-autoscaler/churn-prod"] == "owned"
      if length(setintersection(flatten([s.Action]), ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"])) > 0
    ])
    error_message = "The Cluster Autoscaler may resize or shrink only this cluster's tagged Auto Scaling groups."
  }

  assert {
    condition     = output.node_group_scaling.min_size == 2 && output.node_group_scaling.max_size == 5 && output.launch_template_metadata_options.http_tokens == "required"
    error_message = "The node group must follow node_min_size/node_max_size and enforce IMDSv2."
  }

  assert {
    condition = alltrue([
      for r in concat([aws_iam_role.cluster], aws_iam_role.node, aws_iam_role.fargate, values(aws_iam_role.controller)) :
      r.permissions_boundary == var.permissions_boundary_arn
    ])
    error_message = "Every role must carry the platform's permissions boundary."
  }
}

run "fargate_mode" {
  command = plan

  variables {
    compute_mode = "fargate"
  }

  assert {
    condition     = output.auto_mode.compute_enabled == false && length(aws_eks_node_group.this) == 0 && length(aws_iam_role.node) == 0
    error_message = "fargate mode has no nodes: no Auto Mode, no node group, no node role."
  }

  assert {
    condition = (
      [for s in aws_eks_fargate_profile.kube_system[0].selector : s.namespace] == ["kube-system"] &&
      [for s in aws_eks_fargate_profile.service[0].selector : s.namespace] == ["ml-services"]
    )
    error_message = "Fargate needs a profile for kube-system (CoreDNS, metrics-server, the load balancer controller) and one for the service's namespace."
  }

  assert {
    condition     = jsondecode(output.addons["coredns"].configuration_values).computeType == "Fargate" && contains(keys(output.addons), "metrics-server")
    error_message = "CoreDNS must be told to run on Fargate, and metrics-server must be installed."
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.cluster) == 1
    error_message = "Fargate needs the cluster's OIDC provider: Pod Identity does not work there, IRSA does."
  }

  assert {
    condition = (
      jsondecode(output.controller_role_trust_policies["load_balancer_controller"]).Statement[0].Action == "sts:AssumeRoleWithWebIdentity" &&
      jsondecode(output.controller_role_trust_policies["load_balancer_controller"]).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" &&
      jsondecode(output.controller_role_trust_policies["load_balancer_controller"]).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub"] == "system:serviceaccount:kube-system:aws-load-balancer-controller" &&
      length(aws_eks_pod_identity_association.controller) == 0 &&
      output.cluster_autoscaler_role_arn == null
    )
    error_message = "On Fargate the load balancer controller's role must be assumed through IRSA (no Pod Identity association), and there is no node autoscaler."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.fargate[0].assume_role_policy).Statement[0].Principal.Service == "eks-fargate-pods.amazonaws.com" &&
      jsondecode(aws_iam_role.fargate[0].assume_role_policy).Statement[0].Condition.ArnLike["aws:SourceArn"] == "arn:aws:eks:eu-west-1:123456789012:fargateprofile/churn-prod/*"
    )
    error_message = "The pod execution role must trust eks-fargate-pods.amazonaws.com."
  }

  assert {
    condition = alltrue([
      for r in concat([aws_iam_role.cluster], aws_iam_role.node, aws_iam_role.fargate, values(aws_iam_role.controller)) :
      r.permissions_boundary == var.permissions_boundary_arn
    ])
    error_message = "Every role must carry the platform's permissions boundary."
  }
}
