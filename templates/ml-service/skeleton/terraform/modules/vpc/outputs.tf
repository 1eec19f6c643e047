output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones the subnets are in, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (internet-facing load balancers, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (EKS control-plane ENIs, nodes, pods, internal load balancers)."
  value       = aws_subnet.private[*].id
}

output "public_subnet_cidrs" {
  description = "CIDRs of the public subnets."
  value       = local.public_subnet_cidrs
}

output "private_subnet_cidrs" {
  description = "CIDRs of the private subnets."
  value       = local.private_subnet_cidrs
}

output "nat_gateway_count" {
  description = "Number of NAT gateways."
  value       = local.nat_gateway_count
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways (the egress IPs of the private subnets)."
  value       = aws_eip.nat[*].public_ip
}

output "flow_log_group_name" {
  description = "CloudWatch Logs group of the VPC flow logs, or null when disabled."
  value       = var.enable_flow_logs ? aws_cloudwatch_log_group.flow_logs[0].name : null
}

output "load_balancer_subnet_tags" {
  description = "The tags load balancers find their subnets by (EKS Auto Mode and the AWS Load Balancer Controller): kubernetes.io/role/elb on the public subnets, kubernetes.io/role/internal-elb on the private ones, and the cluster tag on both."
  value = {
    public  = { for k, v in aws_subnet.public[0].tags : k => v if startswith(k, "kubernetes.io/") }
    private = { for k, v in aws_subnet.private[0].tags : k => v if startswith(k, "kubernetes.io/") }
  }
}
