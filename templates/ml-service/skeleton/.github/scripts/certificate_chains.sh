#!/usr/bin/env bash
# Prints the chains of the certificates the service's load balancer serves, as ACM gives them, for the
# smoke test to trust besides the system's roots: a certificate that a private CA (AWS Private CA)
# issued chains to a root that no runner or image knows. Run by .github/workflows/deploy.yml before
# the rollout, so a role that may not read them stops the run before anything changes.
#
# Reads OVERLAY, the environment's kustomize overlay (k8s/overlays/<environment>): the certificates
# are its Ingress's alb.ingress.kubernetes.io/certificate-arn, one ARN or several separated by
# commas. Needs kubectl, and acm:GetCertificate on each: the deploy role may read the certificate
# named by certificate_arn in terraform/envs/<environment>/terraform.tfvars (one), if the permissions
# boundary it is created under allows acm:GetCertificate too.
set -euo pipefail

: "${OVERLAY:?OVERLAY must name the kustomize overlay of the environment, e.g. k8s/overlays/dev}"
# `annotate --local --list` only prints the annotations of the rendered objects, without a cluster.
annotations="$(kubectl kustomize "${OVERLAY}" | kubectl annotate --local -f - --list)"
certificates="$(sed -n 's|^ *alb\.ingress\.kubernetes\.io/certificate-arn=||p' <<< "${annotations}")"

IFS=',' read -r -a arns <<< "${certificates//$'\n'/,}"
for arn in "${arns[@]}"; do
  arn="${arn//[[:space:]]/}"
  [ -n "${arn}" ] || continue
  if ! chain="$(aws acm get-certificate --certificate-arn "${arn}" --query CertificateChain --output text 2>&1)"; then
    fix="The deploy role may read only the certificate that certificate_arn names in terraform/envs/<environment>/terraform.tfvars: set it to the Ingress's certificate and apply."
    case "${chain}" in
      *AccessDenied*) fix="${fix} If it names it already, the permissions boundary (permissions_boundary_arn) must allow acm:GetCertificate too." ;;
    esac
    echo "::error::Cannot read the chain of ${arn} from ACM for the smoke test: ${chain}. ${fix}" >&2
    exit 1
  fi
  [ "${chain}" = "None" ] || printf '%s\n' "${chain}"
done
