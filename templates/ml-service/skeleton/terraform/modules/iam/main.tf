data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = var.aws_account_id
  region    = var.aws_region

  cluster_arn        = var.cluster_name == null ? null : "arn:${local.partition}:eks:${local.region}:${local.account}:cluster/${var.cluster_name}"
  ecr_repository_arn = "arn:${local.partition}:ecr:${local.region}:${local.account}:repository/${var.ecr_repository_name}"
}
