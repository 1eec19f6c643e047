# Environment "${{ values.environment }}" of ${{ values.name }}, rendered by the Backstage ml-service template.
# Edit freely; CI and the tests in tests/ read this file.

aws_account_id = "${{ values.awsAccountId }}"
aws_region     = "${{ values.awsRegion }}"
service_name   = "${{ values.name }}"
environment    = "${{ values.environment }}"

# --- Cluster ------------------------------------------------------------------
{%- if values.clusterMode == "new" %}

# clusterMode "new": a VPC and an EKS cluster named <cluster_name_prefix>-<environment>.
create_cluster      = true
cluster_name_prefix = "${{ values.clusterNamePrefix }}"
kubernetes_version  = "${{ values.kubernetesVersion }}"

# How pods run (docs/architecture.md): auto (EKS Auto Mode: EKS runs nodes, load balancing, storage
# and node scaling), nodegroup (a managed node group, Load Balancer Controller and Cluster Autoscaler)
# or fargate (a Fargate profile per namespace, no nodes).
compute_mode = "${{ values.computeMode }}"

# The managed node group: used with compute_mode = "nodegroup" only.
node_instance_types = ["${{ values.nodeInstanceTypes | join('", "') }}"]
node_min_size       = ${{ values.nodeMinSize }}
node_max_size       = ${{ values.nodeMaxSize }}

# Network: one NAT gateway per AZ in prod, a single shared one elsewhere (cost).
vpc_cidr           = "10.0.0.0/16"
az_count           = 3
single_nat_gateway = {% if values.environment == "prod" %}false{% else %}true{% endif %}
enable_flow_logs   = true

# Kubernetes API: the private endpoint is always on. The public endpoint (IAM-authenticated)
# lets GitHub-hosted runners deploy; narrow the CIDRs if deploys come from known addresses.
cluster_endpoint_public_access = true
cluster_public_access_cidrs    = ["0.0.0.0/0"]

# IAM roles that get cluster-admin. Whoever runs the first apply gets NO implicit access,
# so add your platform admin role(s) here, e.g. "arn:aws:iam::${{ values.awsAccountId }}:role/platform-admin".
admin_role_arns = []

# The deploy role owns this dedicated cluster: it creates the namespace and installs the Helm charts of
# the cluster's controllers (load balancer controller, cluster autoscaler); the EKS add-ons are Terraform's.
deploy_access_policy = "AmazonEKSClusterAdminPolicy"
deploy_access_scope  = "cluster"
{%- else %}

# clusterMode "existing": deploy into a cluster run by the platform team (no VPC/EKS here).
create_cluster        = false
existing_cluster_name = "${{ values.existingClusterName }}"

# The deploy role gets a namespace-scoped access entry on the shared cluster.
# The cluster must use authentication mode API or API_AND_CONFIG_MAP and run the
# eks-pod-identity-agent add-on; the namespace itself is created by the platform team.
manage_existing_cluster_access = true
deploy_access_policy           = "AmazonEKSAdminPolicy"
deploy_access_scope            = "namespace"
{%- endif %}

# --- Workload -----------------------------------------------------------------

namespace            = "${{ values.namespace }}{% if values.clusterMode == "existing" %}-${{ values.environment }}{% endif %}"
service_account_name = "${{ values.name }}"
dataset_uri          = "{% if values.datasetSource == "s3" %}${{ values.datasetUri }}{% endif %}"
# The load balancer's certificate (k8s/base/ingress.yaml): the deploy role reads its chain for the smoke test.
certificate_arn = "${{ values.certificateArn }}"

# --- Backstage ----------------------------------------------------------------

{%- if values.clusterMode == "new" %}

# Backstage's backend role: an EKS access entry (no access policy) mapped to the Kubernetes group below,
# which k8s/overlays/${{ values.environment }}/backstage-access.yaml lets read this namespace and call the
# ${{ values.name }} Service through the API server's proxy. null: no access entry. A role in this account
# must exist: the plan reads it, and stops before anything is created when it does not.
backstage_role_arn         = "${{ values.backstageRoleArn }}"
backstage_kubernetes_group = "${{ values.backstageKubernetesGroup }}"
{%- else %}

# Backstage's backend role (${{ values.backstageRoleArn }}) gets no access entry from this root: EKS allows
# one per principal and cluster, so the platform maps it once on ${{ values.existingClusterName }} to the
# Kubernetes group below (README, "What your platform must provide once"), which
# k8s/overlays/${{ values.environment }}/backstage-access.yaml lets read this namespace and call the
# ${{ values.name }} Service through the API server's proxy.
backstage_kubernetes_group = "${{ values.backstageKubernetesGroup }}"
{%- endif %}

# --- GitHub Actions -----------------------------------------------------------

# The deploy role trusts only jobs in the GitHub environment "${{ values.environment }}" of this repository:
# the subject <prefix>:environment:${{ values.environment }}, where the prefix (github_subject_prefix) is
# repo:${{ values.githubOwner }}/${{ values.githubRepo }} or, with GitHub's immutable subject claims,
# repo:${{ values.githubOwner }}@<owner id>/${{ values.githubRepo }}@<repository id>. It is not set here: the
# workflows read it from their own OIDC token (TF_VAR_github_subject_prefix), and a value here would
# override theirs. For a local run, see the variable's description in variables.tf.
# The account's GitHub OIDC provider is looked up: the Backstage template (or the platform) made it.

# Permissions boundary of every IAM role this root creates: the platform's boundary for CI roles
# (mlops.github.permissionsBoundary in Backstage), which the Terraform role may be required to put on
# the roles it creates.
{%- if values.permissionsBoundaryArn %}
permissions_boundary_arn = "${{ values.permissionsBoundaryArn }}"
{%- else %}
# The CI roles were given in the form: set the boundary your platform requires, if any.
permissions_boundary_arn = null
{%- endif %}

# none | plan | apply: Terraform access of the deploy role (see modules/iam). The workflows apply with
# this environment's Terraform role (variable AWS_TERRAFORM_ROLE_ARN), so the deploy role needs none.
deploy_role_terraform_access = "none"

# --- Image repository -----------------------------------------------------------

# Created by the template (mlops:ecr:ensure) and shared by all environments, so it is
# only referenced here. See variables.tf before setting manage_ecr_repository = true.
ecr_repository_name   = "${{ values.ecrRepositoryName }}"
manage_ecr_repository = false

# --- Terraform state (keep in sync with ${{ values.environment }}.s3.tfbackend) -------------

state_bucket               = "${{ values.stateBucket }}"
state_key                  = "${{ values.stateKeyPrefix }}/${{ values.environment }}/terraform.tfstate"
state_region               = "${{ values.stateRegion }}"
state_workspace_key_prefix = "${{ values.stateKeyPrefix }}/${{ values.environment }}/workspaces"
state_lock_table           = "${{ values.lockTable }}"
