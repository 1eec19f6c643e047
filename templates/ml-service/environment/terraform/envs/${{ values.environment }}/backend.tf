# Partial configuration: the bucket, key and region come from the
# <environment>.s3.tfbackend file next to this one:
#
#   terraform init -backend-config=<environment>.s3.tfbackend
terraform {
  backend "s3" {
    use_lockfile = true
  }
}
