#!/usr/bin/env bash
# Checks, right after `aws eks update-kubeconfig`, that this runner reaches and may use the Kubernetes
# API of CLUSTER_NAME, in seconds, instead of the first real kubectl call failing minutes later with a
# timeout. When it cannot, says why from the cluster's endpoint settings and what to change. Run by
# .github/workflows/deploy.yml.
#
# Why: GitHub-hosted runners reach EKS through its public endpoint only, from addresses in no fixed
# range. A cluster whose endpoint is private (common for shared platform clusters) or limited to some
# CIDRs is out of their reach, and only a runner inside the VPC (self-hosted) or in those ranges can
# deploy to it.
#
# Reads CLUSTER_NAME and the AWS credentials and region of the job.
set -uo pipefail

refused() { grep -qiE 'unauthorized|forbidden|must be logged in' <<< "${output}"; }

# An access entry Terraform has just made takes a moment to reach the API server, so a refusal is
# asked again every 10 s for up to UNAUTHORIZED_WAIT_SECONDS (default 60); no answer at all is not.
deadline=$((SECONDS + ${UNAUTHORIZED_WAIT_SECONDS:-60}))
while true; do
  if output="$(kubectl get --raw /version --request-timeout=20s 2>&1)"; then
    echo "Kubernetes API of ${CLUSTER_NAME}: reachable."
    exit 0
  fi
  output="${output//$'\n'/ }"
  if ! refused; then
    break
  elif [ "${SECONDS}" -ge "${deadline}" ]; then
    echo "::error::The Kubernetes API of ${CLUSTER_NAME} answered, but refused this job's role (${output}). Fix: the role needs an EKS access entry on ${CLUSTER_NAME} (aws eks list-access-entries --cluster-name ${CLUSTER_NAME}); see docs/runbook.md, \"CI/CD credentials\"."
    exit 1
  fi
  sleep 10
done

settings="$(aws eks describe-cluster --name "${CLUSTER_NAME}" --output text \
  --query '[cluster.resourcesVpcConfig.endpointPublicAccess, join(`,`, cluster.resourcesVpcConfig.publicAccessCidrs || `[]`)]' 2>&1)" \
  || settings="unknown"
read -r public cidrs <<< "${settings}"
if [ "${public}" = False ]; then
  cause="its API endpoint is private (endpointPublicAccess false), and GitHub-hosted runners are outside its VPC"
  fix="run the deploy jobs on a self-hosted runner inside the VPC (set the repository variable DEPLOY_RUNS_ON to its label), or turn on the public endpoint for your runners' address ranges: aws eks update-cluster-config --name ${CLUSTER_NAME} --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=<ranges>"
elif [ "${public}" != unknown ] && [ -n "${cidrs:-}" ] && [ "${cidrs}" != "0.0.0.0/0" ]; then
  cause="its public endpoint admits only ${cidrs}, and GitHub-hosted runners' addresses are in no fixed range"
  fix="run the deploy jobs on a runner whose address is in those ranges (self-hosted, or a larger GitHub-hosted runner with a static IP range; the repository variable DEPLOY_RUNS_ON names its label), or add its range to publicAccessCidrs"
else
  cause="no answer (${output})"
  fix="check that ${CLUSTER_NAME} is ACTIVE (aws eks describe-cluster --name ${CLUSTER_NAME}) and that its endpoint admits this runner"
fi
echo "::error::This runner cannot reach the Kubernetes API of ${CLUSTER_NAME}: ${cause}. Fix: ${fix}."
exit 1
