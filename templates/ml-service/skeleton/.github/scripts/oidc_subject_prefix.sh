#!/usr/bin/env bash
# Prints the OIDC subject this job presents to AWS and hands its prefix to Terraform as
# TF_VAR_github_subject_prefix, and the token's issuer as TF_VAR_github_oidc_issuer (through GITHUB_ENV).
# Run by every job that runs `terraform plan` (plan-<env> in .github/workflows/deploy.yml, plan in
# ci.yml), before it assumes a role.
#
# Why: the subject of a job's token is <prefix>:<context>. The prefix is repo:<owner>/<repo> for older
# repositories (and on GitHub Enterprise Server), but repo:<owner>@<owner id>/<repo>@<repo id> for
# repositories GitHub created (or that were renamed or transferred) since it mints immutable subject
# claims. The deploy role Terraform manages (terraform/modules/iam) trusts exactly
# <prefix>:environment:<env>, so Terraform needs the prefix this repository really has, and the
# subject printed here is what a refused AssumeRoleWithWebIdentity in the next step is to be compared with.
#
# The issuer is https://token.actions.githubusercontent.com, or .../<enterprise slug> where the repository's
# enterprise has turned on its unique issuer URL; the deploy role trusts the account's OIDC provider for
# exactly that issuer (its condition keys are <issuer>:aud and <issuer>:sub).
#
# Reads ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (set by GitHub in a job with
# `permissions: id-token: write`), GITHUB_ENV and GITHUB_REPOSITORY (set by GitHub).
# Needs curl and python3. Only reads the token's claims: nothing here relies on its signature.
set -euo pipefail

repository="${GITHUB_REPOSITORY:-OWNER/REPO}"

if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || [ -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]; then
  echo "::error::This job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set), so it cannot assume an AWS role either. Fix: give the job 'id-token: write' in its permissions: block (pull requests from forks and Dependabot never get a token)."
  exit 1
fi
if [ -z "${GITHUB_ENV:-}" ]; then
  echo "::error::GITHUB_ENV is not set: run this script as a step of a GitHub Actions job."
  exit 1
fi

response="$(curl --silent --show-error --max-time 30 --write-out '\n%{http_code}' \
  --header "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" \
  "${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com")" || {
  echo "::error::Could not reach GitHub's OIDC token endpoint to request this job's token; re-run the job."
  exit 1
}
status="${response##*$'\n'}"
body="${response%$'\n'*}"
if [ "${status}" != 200 ]; then
  message="$(python3 -c 'import json, sys; print(json.load(sys.stdin).get("message", ""))' <<< "${body}" 2> /dev/null || true)"
  echo "::error::GitHub refused this job's OIDC token (HTTP ${status}: ${message}). The job needs 'id-token: write' in its permissions: block; if it has it, re-run the job."
  exit 1
fi

# Three lines: the subject's prefix when the subject has the shape of GitHub's default subject template
# (<prefix>:<context>), else an empty line; the token's subject; its issuer.
claims="$(python3 -c '
import base64, json, re, sys

token = json.load(sys.stdin)["value"]
payload = token.split(".")[1]
payload += "=" * (-len(payload) % 4)
decoded = json.loads(base64.urlsafe_b64decode(payload))
subject = decoded["sub"]
issuer = decoded["iss"]
# Git refs and the names in the prefix cannot contain a colon (environment names are taken not to
# either). A customised template adds ":<claim>:<value>" pairs or puts other claims first, which
# none of these shapes matches.
shape = re.fullmatch(
    r"(repo:[A-Za-z0-9][A-Za-z0-9-]*(?:@[0-9]+)?/[A-Za-z0-9._-]+(?:@[0-9]+)?)"
    r":(?:environment:[^:]+|ref:refs/[^:]+|pull_request)",
    subject,
)
print(shape.group(1) if shape else "")
print(subject)
print(issuer)
' <<< "${body}" 2> /dev/null)" || {
  echo "::error::GitHub's OIDC token endpoint answered without a token whose claims could be read (expected JSON {\"value\": \"<JWT>\"} with sub and iss claims); re-run the job."
  exit 1
}
# Command substitution drops trailing empty lines (an empty issuer): a missing line reads as empty.
{
  read -r prefix || true
  read -r subject || true
  read -r issuer_url || true
} <<< "${claims}"

echo "This job presents the OIDC subject ${subject}; the role it assumes must trust exactly that."

if [ -z "${prefix}" ]; then
  echo "::error::The OIDC subject '${subject}' does not have the shape of GitHub's default subject template, <prefix>:<context> with the prefix repo:<owner>/<repo> (or, with immutable subject claims, repo:<owner>@<owner id>/<repo>@<repo id>) and the context environment:<name>, ref:<ref> or pull_request: this repository's (or its organisation's) subject template is customised. The roles Backstage made, and the deploy role in terraform/modules/iam, trust the default template's subjects, so AWS would refuse them to this job. Fix: restore the default template for this repository, gh api -X PUT repos/${repository}/actions/oidc/customization/sub -F use_default=true, then re-run; or make those roles trust the customised subject."
  exit 1
fi

if [[ "${prefix}" == *@* ]]; then
  form="immutable subject claims: owner and repository IDs"
else
  form="names only"
fi
echo "Its prefix is ${prefix} (${form}): Terraform gets it as TF_VAR_github_subject_prefix, and the deploy role it manages trusts ${prefix}:environment:<env>."

if [[ ! "${issuer_url}" =~ ^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*$ ]]; then
  echo "::error::This job's OIDC token names the issuer '${issuer_url}', which is not an https URL of a host and an optional path, so no IAM OIDC provider could match it; re-run the job, and if it persists, compare it with GitHub's OpenID Connect reference."
  exit 1
fi
issuer="${issuer_url#https://}"
echo "Its issuer is ${issuer_url}: Terraform gets it as TF_VAR_github_oidc_issuer, and the deploy role trusts the account's OIDC provider for it."
if [[ "${issuer}" == token.actions.githubusercontent.com/* ]]; then
  slug="${issuer#token.actions.githubusercontent.com/}"
  echo "::notice::This repository's enterprise has its unique OIDC issuer URL turned on (${issuer_url}). The roles Backstage makes trust it only with mlops.github.enterpriseSlug: ${slug} in Backstage's app-config, and the account needs an IAM OIDC provider for that URL (Backstage makes it unless mlops.github.oidcProvider is existing). If AWS refuses the role in the next step, check those first (docs/runbook.md, Common failures)."
fi
echo "TF_VAR_github_subject_prefix=${prefix}" >> "${GITHUB_ENV}"
echo "TF_VAR_github_oidc_issuer=${issuer}" >> "${GITHUB_ENV}"
