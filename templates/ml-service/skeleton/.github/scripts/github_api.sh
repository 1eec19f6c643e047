#!/usr/bin/env bash
# Sourced by the scripts that read GitHub's REST API with the job's token:
#   github_get <path>   sets GITHUB_STATUS (the HTTP status) and GITHUB_BODY (the JSON answer), or
#                       returns 1 when GitHub could not be reached at all.
# Reads GH_TOKEN and GITHUB_API_URL (set by GitHub).

github_get() {
  local response
  response="$(curl --silent --show-error --max-time 30 --write-out '\n%{http_code}' \
    --header "Authorization: Bearer ${GH_TOKEN}" \
    --header 'Accept: application/vnd.github+json' \
    --header 'X-GitHub-Api-Version: 2022-11-28' \
    "${GITHUB_API_URL:-https://api.github.com}$1")" || return 1
  GITHUB_STATUS="${response##*$'\n'}"
  GITHUB_BODY="${response%$'\n'*}"
}
