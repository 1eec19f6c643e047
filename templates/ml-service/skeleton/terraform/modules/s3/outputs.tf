output "bucket_names" {
  description = "Bucket names by purpose."
  value       = { for k, b in aws_s3_bucket.this : k => b.bucket }
}

output "bucket_arns" {
  description = "Bucket ARNs by purpose."
  value       = { for k, b in aws_s3_bucket.this : k => "arn:${data.aws_partition.current.partition}:s3:::${b.bucket}" }
}

output "kms_key_arn" {
  description = "KMS key encrypting the buckets."
  value       = local.kms_key_arn
}

output "sse_algorithms" {
  description = "Default encryption algorithm by purpose (aws:kms)."
  value = {
    for k, c in aws_s3_bucket_server_side_encryption_configuration.this :
    k => one([for r in c.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm])
  }
}

output "bucket_key_enabled" {
  description = "Whether S3 Bucket Keys are enabled, by purpose."
  value = {
    for k, c in aws_s3_bucket_server_side_encryption_configuration.this :
    k => one([for r in c.rule : r.bucket_key_enabled])
  }
}

output "public_access_blocked" {
  description = "Whether all four public access block flags are set, by purpose."
  value = {
    for k, p in aws_s3_bucket_public_access_block.this :
    k => p.block_public_acls && p.ignore_public_acls && p.block_public_policy && p.restrict_public_buckets
  }
}

output "object_ownership" {
  description = "Object ownership setting by purpose (BucketOwnerEnforced disables ACLs)."
  value = {
    for k, o in aws_s3_bucket_ownership_controls.this : k => o.rule[0].object_ownership
  }
}

output "versioning_status" {
  description = "Versioning status by purpose."
  value = {
    for k, v in aws_s3_bucket_versioning.this : k => v.versioning_configuration[0].status
  }
}
