# Plan-only tests of the "${{ values.environment }}" root against a mocked AWS provider (no credentials,
# no network):
#
#   terraform init -backend=false && terraform test
#
# The first run plans exactly what terraform.tfvars describes; the second plans the
# other cluster mode, so both code paths stay valid.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }

  mock_data "aws_availability_zones" {
    defaults = {
      names    = ["${{ values.awsRegion }}a", "${{ values.awsRegion }}b", "${{ values.awsRegion }}c"]
      zone_ids = ["mock-az1", "mock-az2", "mock-az3"]
    }
  }

  mock_data "aws_eks_cluster" {
    defaults = {
      arn      = "arn:aws:eks:${{ values.awsRegion }}:${{ values.awsAccountId }}:cluster/mock"
      endpoint = "https://MOCK.gr7.${{ values.awsRegion }}.eks.amazonaws.com"
    }
  }

  mock_data "aws_eks_addon_version" {
    defaults = {
      version = "v1.0.0-eksbuild.1"
    }
  }

  mock_data "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:${{ values.awsRegion }}:${{ values.awsAccountId }}:repository/${{ values.ecrRepositoryName }}"
      repository_url = "${{ values.awsAccountId }}.dkr.ecr.${{ values.awsRegion }}.amazonaws.com/${{ values.ecrRepositoryName }}"
      registry_id    = "${{ values.awsAccountId }}"
    }
  }

  mock_data "aws_iam_role" {
    defaults = {
      arn = "${{ values.backstageRoleArn }}"
    }
  }

  mock_data "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::${{ values.awsAccountId }}:oidc-provider/token.actions.githubusercontent.com"
    }
  }
}

# What the workflows set from their OIDC token (TF_VAR_github_subject_prefix), here in the immutable form
# GitHub mints for repositories created since mid-2026 (the IDs are made up).
variables {
  github_subject_prefix = "repo:${{ values.githubOwner }}@1234567/${{ values.githubRepo }}@7654321"
}

run "rendered_environment" {
  command = plan

  # --- Buckets -----------------------------------------------------------------

  assert {
    condition = length(module.s3.bucket_names) == 3 && alltrue([
      for k, n in module.s3.bucket_names :
      endswith(n, "-${k}-${{ values.awsAccountId }}-${{ values.awsRegion }}") && length(n) <= 63 && substr(n, 0, 3) == substr("${{ values.name }}", 0, 3)
    ])
    error_message = "Buckets must be named <service>-<env>-<purpose>-<account>-<region> (shortened with a hash beyond 63 characters)."
  }

  assert {
    condition     = alltrue([for k, a in module.s3.sse_algorithms : a == "aws:kms"]) && alltrue(values(module.s3.bucket_key_enabled))
    error_message = "Every bucket must default to SSE-KMS with an S3 Bucket Key."
  }

  assert {
    condition     = length(module.s3.public_access_blocked) == 3 && alltrue(values(module.s3.public_access_blocked))
    error_message = "Every bucket must set all four public access block flags."
  }

  assert {
    condition     = alltrue([for k, o in module.s3.object_ownership : o == "BucketOwnerEnforced"]) && alltrue([for k, v in module.s3.versioning_status : v == "Enabled"])
    error_message = "Buckets must be versioned with ACLs disabled (BucketOwnerEnforced)."
  }

  # --- Deploy role -------------------------------------------------------------

  assert {
    condition     = module.iam.github_oidc_subjects == ["repo:${{ values.githubOwner }}@1234567/${{ values.githubRepo }}@7654321:environment:${{ values.environment }}"]
    error_message = "The deploy role must trust only the ${{ values.environment }} GitHub environment of the repository (not the default branch)."
  }

  assert {
    condition     = module.iam.deploy_terraform_read_policy == null && module.iam.deploy_terraform_write_policy == null
    error_message = "The deploy role must get no Terraform access by default: the environment's Terraform role applies."
  }

  assert {
    condition = (
      toset(one([for s in jsondecode(module.iam.deploy_state_policy).Statement : s.Action if s.Sid == "StateAndLockObjects"])) == toset(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) &&
      toset(one([for s in jsondecode(module.iam.deploy_state_policy).Statement : s.Resource if s.Sid == "StateAndLockObjects"])) == toset([
        "arn:aws:s3:::${{ values.stateBucket }}/${{ values.stateKeyPrefix }}/${{ values.environment }}/terraform.tfstate",
        "arn:aws:s3:::${{ values.stateBucket }}/${{ values.stateKeyPrefix }}/${{ values.environment }}/terraform.tfstate.tflock",
      ])
    )
    error_message = "The deploy role must read/write/delete exactly the state object and its .tflock lock file."
  }

  assert {
    condition = (
      one([for s in jsondecode(module.iam.deploy_state_policy).Statement : s.Resource if s.Sid == "ListStatePrefix"]) == "arn:aws:s3:::${{ values.stateBucket }}" &&
      alltrue([
        for p in one([for s in jsondecode(module.iam.deploy_state_policy).Statement : s.Condition.StringLike["s3:prefix"] if s.Sid == "ListStatePrefix"]) :
        startswith(p, "${{ values.stateKeyPrefix }}/${{ values.environment }}/")
      ])
    )
    error_message = "ListBucket on the state bucket must be limited to this environment's key prefix."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(module.iam.deploy_state_policy).Statement : [
        for r in flatten([s.Resource]) : r == "*" || startswith(r, "arn:aws:s3:::${{ values.stateBucket }}") || startswith(r, "arn:aws:dynamodb:")
      ]
    ]))
    error_message = "The state policy must not reach beyond the state bucket (and lock table)."
  }

  assert {
    condition     = alltrue([for p in [module.iam.deploy_state_policy, module.iam.deploy_terraform_read_policy, module.iam.deploy_terraform_write_policy] : length(p) <= 6144 if p != null])
    error_message = "A deploy role policy exceeds the 6,144-character limit of IAM managed policies."
  }

{%- if values.clusterMode == "new" and values.computeMode == "fargate" %}

  assert {
    condition     = module.iam.service_role_delivery == "irsa" && output.service_role_delivery == "irsa"
    error_message = "On Fargate the service role must be delivered through IRSA (the service account's eks.amazonaws.com/role-arn annotation): Pod Identity does not work there."
  }
{%- else %}

  assert {
    condition     = jsondecode(module.iam.service_role_trust_policy).Statement[0].Principal.Service == "pods.eks.amazonaws.com" && toset(jsondecode(module.iam.service_role_trust_policy).Statement[0].Action) == toset(["sts:AssumeRole", "sts:TagSession"])
    error_message = "The service role must be assumable by EKS Pod Identity only."
  }

  assert {
    condition     = jsondecode(module.iam.service_role_trust_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] == "${{ values.name }}"
    error_message = "The service role must be limited to the service account."
  }

  assert {
    condition     = output.service_role_delivery == "pod-identity"
    error_message = "The service role must be delivered by an EKS Pod Identity association."
  }
{%- endif %}
{%- if values.clusterMode == "new" %}

  # --- New cluster ---------------------------------------------------------------

  assert {
    condition     = length(module.vpc) == 1 && length(module.eks) == 1
    error_message = "clusterMode new must create the VPC and the EKS cluster."
  }

  assert {
    condition     = output.cluster_name == "${{ values.clusterNamePrefix }}-${{ values.environment }}"
    error_message = "The cluster must be named <clusterNamePrefix>-<environment>."
  }

  assert {
    condition     = module.eks[0].endpoint_private_access == true
    error_message = "The private API endpoint must be enabled."
  }

  assert {
    condition     = module.eks[0].authentication_mode == "API"
    error_message = "The cluster must use access entries (authentication mode API)."
  }

  assert {
    condition     = output.compute_mode == "${{ values.computeMode }}" && module.eks[0].compute_mode == var.compute_mode
    error_message = "The cluster must run the compute mode of the rendered tfvars."
  }

  assert {
    condition     = contains(keys(module.eks[0].addons), "metrics-server")
    error_message = "Every compute mode needs the metrics-server add-on: the HorizontalPodAutoscaler reads CPU from it."
  }
{%- if values.computeMode == "nodegroup" %}

  assert {
    condition     = tolist(module.eks[0].node_group_instance_types) == tolist(["${{ values.nodeInstanceTypes | join('", "') }}"]) && tolist(module.eks[0].node_group_instance_types) == tolist(var.node_instance_types)
    error_message = "Node group instance types must equal the rendered tfvars."
  }

  assert {
    condition     = module.eks[0].node_group_scaling.min_size == ${{ values.nodeMinSize }} && module.eks[0].node_group_scaling.max_size == ${{ values.nodeMaxSize }} && module.eks[0].node_group_scaling.min_size == var.node_min_size && module.eks[0].node_group_scaling.max_size == var.node_max_size
    error_message = "Node group min/max sizes must equal the rendered tfvars."
  }

  assert {
    condition     = module.eks[0].launch_template_metadata_options.http_tokens == "required"
    error_message = "Nodes must enforce IMDSv2 (http_tokens = required)."
  }

  assert {
    condition     = module.eks[0].launch_template_metadata_options.http_put_response_hop_limit <= 2
    error_message = "The IMDS hop limit must be 1 or 2."
  }

  assert {
    condition     = module.eks[0].root_volume.volume_type == "gp3" && tostring(module.eks[0].root_volume.encrypted) == "true"
    error_message = "Node root volumes must be encrypted gp3."
  }

  assert {
    condition     = jsondecode(module.eks[0].addons["vpc-cni"].configuration_values).enableNetworkPolicy == "true"
    error_message = "The vpc-cni add-on must enable network policy enforcement."
  }

  assert {
    condition     = toset(keys(module.eks[0].addons)) == toset(["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "metrics-server"])
    error_message = "vpc-cni, coredns, kube-proxy, eks-pod-identity-agent and metrics-server must be managed add-ons."
  }

  assert {
    condition     = module.eks[0].controller_pod_identity_associations == { load_balancer_controller = "kube-system/aws-load-balancer-controller", cluster_autoscaler = "kube-system/cluster-autoscaler" }
    error_message = "The AWS Load Balancer Controller and the Cluster Autoscaler need their roles through Pod Identity associations in kube-system."
  }
{%- elif values.computeMode == "fargate" %}

  assert {
    condition     = module.eks[0].fargate_profiles == { "kube-system" = ["kube-system"], service = ["${{ values.namespace }}"] }
    error_message = "Fargate needs a profile for kube-system (CoreDNS, metrics-server, the load balancer controller) and one for the service's namespace."
  }

  assert {
    condition     = jsondecode(module.eks[0].addons["coredns"].configuration_values).computeType == "Fargate" && module.eks[0].node_group_name == null
    error_message = "On Fargate CoreDNS must run on Fargate, and there is no node group."
  }

  assert {
    condition     = module.eks[0].controller_pod_identity_associations == {} && output.cluster_autoscaler_role_arn == null
    error_message = "On Fargate the load balancer controller's role goes through IRSA (no Pod Identity association), and there is no node autoscaler."
  }
{%- else %}

  assert {
    condition     = module.eks[0].auto_mode.compute_enabled && module.eks[0].auto_mode.load_balancing_enabled && module.eks[0].auto_mode.block_storage_enabled && toset(module.eks[0].auto_mode.node_pools) == toset(["general-purpose", "system"])
    error_message = "EKS Auto Mode needs compute (general-purpose and system node pools), elastic load balancing and block storage."
  }

  assert {
    condition     = module.eks[0].node_group_name == null && toset(keys(module.eks[0].addons)) == toset(["metrics-server"])
    error_message = "EKS Auto Mode runs nodes, networking and DNS itself: no node group, and only metrics-server as an add-on."
  }

  assert {
    condition     = output.load_balancer_controller_role_arn == null && output.cluster_autoscaler_role_arn == null
    error_message = "EKS Auto Mode needs no load balancer controller or node autoscaler roles."
  }
{%- endif %}

  assert {
    condition = (
      module.vpc[0].load_balancer_subnet_tags.public == { "kubernetes.io/role/elb" = "1", "kubernetes.io/cluster/${{ values.clusterNamePrefix }}-${{ values.environment }}" = "shared" } &&
      module.vpc[0].load_balancer_subnet_tags.private == { "kubernetes.io/role/internal-elb" = "1", "kubernetes.io/cluster/${{ values.clusterNamePrefix }}-${{ values.environment }}" = "shared" }
    )
    error_message = "Load balancers find their subnets by tag: kubernetes.io/role/elb (public), kubernetes.io/role/internal-elb (private) and the cluster tag."
  }

  assert {
    condition     = length(module.vpc[0].private_subnet_cidrs) == 3 && length(module.vpc[0].public_subnet_cidrs) == 3
    error_message = "The VPC must span three AZs with public and private subnets."
  }

  assert {
    condition     = module.vpc[0].nat_gateway_count == {% if values.environment == "prod" %}3{% else %}1{% endif %}
    error_message = "Expected {% if values.environment == "prod" %}one NAT gateway per AZ in prod{% else %}a single NAT gateway outside prod{% endif %}."
  }

  assert {
    condition     = module.eks[0].group_access_entries["backstage"].principal_arn == "${{ values.backstageRoleArn }}" && tolist(module.eks[0].group_access_entries["backstage"].kubernetes_groups) == tolist(["${{ values.name }}-backstage"])
    error_message = "Backstage's role must get an access entry mapped to the group <name>-backstage."
  }

  assert {
    condition     = !contains(keys(module.eks[0].access_entry_principals), "backstage")
    error_message = "Backstage's access entry must carry no access policy: only the group's RoleBindings grant it anything."
  }

  assert {
    condition     = output.backstage_kubernetes_group == "${{ values.name }}-backstage"
    error_message = "The Backstage group must be <name>-backstage, the subject of k8s/overlays/<env>/backstage-access.yaml."
  }
{%- else %}

  # --- Existing cluster --------------------------------------------------------

  assert {
    condition     = length(module.eks) == 0 && length(module.vpc) == 0
    error_message = "clusterMode existing must not plan an aws_eks_cluster (nor a VPC)."
  }

  assert {
    condition     = output.cluster_name == "${{ values.existingClusterName }}" && output.cluster_created == false
    error_message = "The existing cluster must be looked up by name."
  }

  assert {
    condition     = var.namespace == "${{ values.namespace }}-${{ values.environment }}"
    error_message = "On a shared cluster the namespace must be <namespace>-<environment>."
  }

  assert {
    condition     = aws_eks_access_policy_association.deploy_existing[0].access_scope[0].type == "namespace" && tolist(aws_eks_access_policy_association.deploy_existing[0].access_scope[0].namespaces) == tolist(["${{ values.namespace }}-${{ values.environment }}"])
    error_message = "The deploy role's access on the shared cluster must be limited to the service namespace."
  }

  # Backstage's access entry on a shared cluster is the platform's, made once per cluster: EKS allows one
  # per principal and cluster, so one per environment root (or service) would collide.
  assert {
    condition     = output.backstage_kubernetes_group == "mlops-backstage"
    error_message = "On a shared cluster the Backstage group must be mlops-backstage, the group the platform maps Backstage's role to once per cluster and the subject of k8s/overlays/<env>/backstage-access.yaml."
  }
{%- endif %}
}
{%- if values.clusterMode == "new" %}

# The same root with clusterMode existing.
run "existing_cluster_mode" {
  command = plan

  variables {
    create_cluster        = false
    existing_cluster_name = "platform-eks"
    namespace             = "${{ values.namespace }}-${{ values.environment }}"
    deploy_access_policy  = "AmazonEKSAdminPolicy"
    deploy_access_scope   = "namespace"

    deploy_role_terraform_access = "apply"
  }

  assert {
    condition     = length(module.eks) == 0 && length(module.vpc) == 0
    error_message = "clusterMode existing must not plan an aws_eks_cluster (nor a VPC)."
  }

  assert {
    condition     = output.cluster_name == "platform-eks"
    error_message = "The existing cluster must be looked up by name."
  }

  assert {
    condition     = aws_eks_access_policy_association.deploy_existing[0].access_scope[0].type == "namespace"
    error_message = "The deploy role's access on the shared cluster must be namespace-scoped."
  }

  assert {
    condition     = !strcontains(module.iam.deploy_terraform_read_policy, "access-entry/platform-eks/role/${{ values.backstageRoleArn.split(':')[4] }}/${{ values.backstageRoleArn.split('/') | last }}/") && strcontains(module.iam.deploy_terraform_read_policy, "access-entry/platform-eks/role/${{ values.awsAccountId }}/${{ values.name }}-${{ values.environment }}-github-deploy/*")
    error_message = "The deploy role may read exactly the access entry this stack makes on the shared cluster, its own: Backstage's is the platform's, once per cluster."
  }

  assert {
    condition     = output.backstage_kubernetes_group == "${{ values.name }}-backstage"
    error_message = "backstage_kubernetes_group is reported even where this root makes no access entry for it."
  }

  assert {
    condition     = !strcontains(module.iam.deploy_terraform_write_policy, "eks:CreateNodegroup") && !strcontains(module.iam.deploy_terraform_write_policy, "eks:CreateAccessEntry")
    error_message = "The deploy role must not get write access to a shared cluster."
  }

  assert {
    condition = length([
      for s in jsondecode(module.iam.deploy_terraform_write_policy).Statement : s
      if contains(flatten([s.Action]), "eks:TagResource")
      ]) == 2 && alltrue([
      for s in jsondecode(module.iam.deploy_terraform_write_policy).Statement :
      try(s.Condition.StringEquals["aws:ResourceTag/service"], null) == "${{ values.name }}" || try(s.Condition.Null["aws:ResourceTag/service"], null) == "true"
      if contains(flatten([s.Action]), "eks:TagResource")
    ])
    error_message = "eks:TagResource on Pod Identity associations must require the association's own service tag (or none yet): a request tag alone lets one service re-tag, then update or delete another's association."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(module.iam.deploy_terraform_write_policy).Statement :
      try(s.Condition.StringEquals["aws:ResourceTag/service"], null) == "${{ values.name }}"
      if length(setintersection(flatten([s.Action]), ["eks:UpdatePodIdentityAssociation", "eks:DeletePodIdentityAssociation", "eks:UntagResource"])) > 0
    ])
    error_message = "Updating, deleting or untagging a Pod Identity association must require the association's own service tag."
  }
}
{%- else %}

# The same root with clusterMode new.
run "new_cluster_mode" {
  command = plan

  variables {
    create_cluster       = true
    cluster_name_prefix  = "${{ values.name }}"
    kubernetes_version   = "1.36"
    node_instance_types  = ["m6i.large"]
    node_min_size        = 2
    node_max_size        = 5
    namespace            = "${{ values.namespace }}"
    deploy_access_policy = "AmazonEKSClusterAdminPolicy"
    deploy_access_scope  = "cluster"
    compute_mode         = "nodegroup"
    backstage_role_arn   = "${{ values.backstageRoleArn }}"
  }

  assert {
    condition     = module.eks[0].group_access_entries["backstage"].principal_arn == "${{ values.backstageRoleArn }}" && tolist(module.eks[0].group_access_entries["backstage"].kubernetes_groups) == tolist([var.backstage_kubernetes_group])
    error_message = "On a cluster it creates, the root gives Backstage's role an access entry mapped to backstage_kubernetes_group."
  }

  assert {
    condition     = length(module.eks) == 1 && module.eks[0].endpoint_private_access == true
    error_message = "clusterMode new must create the cluster with the private endpoint enabled."
  }

  assert {
    condition     = tolist(module.eks[0].node_group_instance_types) == tolist(["m6i.large"]) && module.eks[0].node_group_scaling.min_size == 2 && module.eks[0].node_group_scaling.max_size == 5
    error_message = "Node group settings must follow the variables."
  }

  assert {
    condition     = module.eks[0].launch_template_metadata_options.http_tokens == "required"
    error_message = "Nodes must enforce IMDSv2."
  }

  assert {
    condition     = jsondecode(module.eks[0].addons["vpc-cni"].configuration_values).enableNetworkPolicy == "true"
    error_message = "The vpc-cni add-on must enable network policy enforcement."
  }
}
{%- endif %}
{%- if values.clusterMode == "new" %}
{%- for mode in ["auto", "nodegroup", "fargate"] %}
{%- if mode != values.computeMode %}

# The same root with compute_mode "${{ mode }}".
run "compute_mode_${{ mode }}" {
  command = plan

  variables {
    compute_mode = "${{ mode }}"
  }

  assert {
    condition     = output.compute_mode == "${{ mode }}" && contains(keys(module.eks[0].addons), "metrics-server")
    error_message = "Every compute mode needs the metrics-server add-on."
  }
{%- if mode == "auto" %}

  assert {
    condition     = module.eks[0].auto_mode.compute_enabled && module.eks[0].auto_mode.load_balancing_enabled && module.eks[0].auto_mode.block_storage_enabled && module.eks[0].node_group_name == null
    error_message = "EKS Auto Mode needs compute, elastic load balancing and block storage, and no node group."
  }

  assert {
    condition     = output.service_role_delivery == "pod-identity"
    error_message = "Auto Mode nodes run the Pod Identity agent: the service role goes through Pod Identity."
  }
{%- elif mode == "nodegroup" %}

  assert {
    condition     = module.eks[0].controller_pod_identity_associations == { load_balancer_controller = "kube-system/aws-load-balancer-controller", cluster_autoscaler = "kube-system/cluster-autoscaler" }
    error_message = "A node group needs the load balancer controller's and the Cluster Autoscaler's Pod Identity associations."
  }

  assert {
    condition     = jsondecode(module.eks[0].addons["vpc-cni"].configuration_values).enableNetworkPolicy == "true" && module.eks[0].launch_template_metadata_options.http_tokens == "required"
    error_message = "A node group needs the VPC CNI with network policy enforcement, and IMDSv2 on its nodes."
  }
{%- else %}

  assert {
    condition     = module.eks[0].fargate_profiles == { "kube-system" = ["kube-system"], service = [var.namespace] } && jsondecode(module.eks[0].addons["coredns"].configuration_values).computeType == "Fargate"
    error_message = "Fargate needs profiles for kube-system and the service namespace, and CoreDNS on Fargate."
  }

  assert {
    condition     = output.service_role_delivery == "irsa" && module.eks[0].controller_pod_identity_associations == {}
    error_message = "On Fargate the service and load balancer controller roles go through IRSA: Pod Identity does not work there."
  }
{%- endif %}
}
{%- endif %}
{%- endfor %}

# A region where this account sees only two zones EKS may use (us-west-1, or us-east-1 once
# use1-az3, where EKS refuses control planes, is left out): the VPC spans those two.
run "two_usable_availability_zones" {
  command = plan

  override_data {
    target = module.vpc[0].data.aws_availability_zones.available
    values = {
      names    = ["${{ values.awsRegion }}b", "${{ values.awsRegion }}c"]
      zone_ids = ["mock-az2", "mock-az4"]
    }
  }

  assert {
    condition     = length(module.vpc[0].private_subnet_cidrs) == 2 && length(module.vpc[0].public_subnet_cidrs) == 2
    error_message = "With two usable zones the VPC must span both instead of failing the plan."
  }
}
{%- endif %}

# deploy.yml builds the image for linux/amd64 only: a Graviton (ARM) node type in the list is refused
# at plan time, whichever shape its name has (first generation, "g", a two-letter family with extras
# after the "g", the GPU type next to x86's g5). Each run costs a plan (about 1.5 s), so one per shape.
{%- for graviton in ["a1.large", "m7g.large", "im4gn.large", "g5g.xlarge"] %}

run "graviton_node_type_refused_${{ graviton | replace(".", "_") }}" {
  command = plan

  variables {
    node_instance_types = ["m6i.large", "${{ graviton }}"]
  }

  expect_failures = [var.node_instance_types]
}
{%- endfor %}

# x86_64 types whose names look close to Graviton ones (GPU g5, Intel "i", "-flex", Inferentia) pass
# the validation: this run's plan fails if any of them is refused.
run "x86_node_types_accepted" {
  command = plan

  variables {
    node_instance_types = ["t3.medium", "g5.xlarge", "c6in.large", "m7i-flex.large", "inf2.xlarge", "r6a.large"]
  }
}

# Opt-ins: Terraform owns the ECR repository; the deploy role may only plan.
run "managed_ecr_and_plan_only_deploy_role" {
  command = plan

  variables {
    manage_ecr_repository        = true
    deploy_role_terraform_access = "plan"
  }

  assert {
    condition     = length(module.ecr) == 1 && module.ecr[0].image_tag_mutability == "IMMUTABLE"
    error_message = "A managed ECR repository must have immutable tags."
  }

  assert {
    condition = [
      for rule in jsondecode(module.ecr[0].lifecycle_policy).rules : try(rule.selection.tagPrefixList[0], rule.selection.tagStatus)
    ] == concat(["untagged"], reverse(["${{ values.environments | join('", "') }}"]), ["any"])
    error_message = "The managed repository's lifecycle policy must keep each environment's deployed images (<env>-run-* tags), the last environment first, before the rule for the other images."
  }

  assert {
    condition     = module.iam.deploy_terraform_read_policy != null && module.iam.deploy_terraform_write_policy == null
    error_message = "terraform_access \"plan\" must grant read-only Terraform access."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(module.iam.deploy_terraform_read_policy).Statement : [
        for a in flatten([s.Action]) : can(regex(":(Describe|Get|List)", a))
      ]
    ]))
    error_message = "The plan-only policy must contain only Describe/Get/List actions."
  }
{%- if values.clusterMode == "existing" %}

  assert {
    condition     = !strcontains(module.iam.deploy_terraform_read_policy, "access-entry/${{ values.existingClusterName }}/role/${{ values.backstageRoleArn.split(':')[4] }}/${{ values.backstageRoleArn.split('/') | last }}/") && strcontains(module.iam.deploy_terraform_read_policy, "access-entry/${{ values.existingClusterName }}/role/${{ values.awsAccountId }}/${{ values.name }}-${{ values.environment }}-github-deploy/*")
    error_message = "On the shared cluster this root reads only the deploy role's access entry: Backstage's is the platform's, once per cluster."
  }
{%- endif %}
}
