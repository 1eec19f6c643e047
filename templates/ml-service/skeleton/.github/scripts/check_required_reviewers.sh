#!/usr/bin/env bash
# Stops a job in a GitHub environment that should require reviewers but does not, before it changes
# anything. Run first by .github/workflows/deploy.yml's terraform and deploy jobs.
#
# Why: GitHub runs a job in an environment without reviewers at once. The Backstage template asked for
# prod's reviewers, but GitHub may not have them: a Backstage group whose GitHub team has another
# name (the template's step only logs a lookup that failed), a team without read access to this
# repository, or a plan without required reviewers for private repositories (GitHub Free, Pro and
# Team offer them for public repositories only). Without this check prod would be changed unreviewed.
#
# Reads REQUIRE_REVIEWERS (the environment's variable: "true" checks, anything else skips),
# ENVIRONMENT, GH_TOKEN (the job's token, which needs `actions: read`), GITHUB_REPOSITORY and
# GITHUB_API_URL (set by GitHub).
set -euo pipefail

if [ "${REQUIRE_REVIEWERS:-}" != true ]; then
  echo "${ENVIRONMENT} does not require reviewers (its variable REQUIRE_REVIEWERS is '${REQUIRE_REVIEWERS:-}')."
  exit 0
fi

# shellcheck source=github_api.sh
source "$(dirname "${BASH_SOURCE[0]}")/github_api.sh"
github_get "/repos/${GITHUB_REPOSITORY}/environments/${ENVIRONMENT}" || {
  echo "::error::Could not reach the GitHub API to read the protection rules of ${ENVIRONMENT}; re-run the job."
  exit 1
}
status="${GITHUB_STATUS}"
body="${GITHUB_BODY}"
if [ "${status}" != 200 ]; then
  message="$(python3 -c 'import json, sys; print(json.load(sys.stdin).get("message", ""))' <<< "${body}" 2> /dev/null || true)"
  echo "::error::Could not read the protection rules of the environment ${ENVIRONMENT} (HTTP ${status}: ${message}). The job's token needs 'actions: read' (its permissions: block)."
  exit 1
fi

# "<type> <login or team slug>" of every required reviewer, comma-separated; empty when there are none.
reviewers="$(python3 -c '
import json, sys
rules = json.load(sys.stdin).get("protection_rules") or []
print(", ".join(
    "{} {}".format(r.get("type"), (r.get("reviewer") or {}).get("login") or (r.get("reviewer") or {}).get("slug") or "?")
    for rule in rules if rule.get("type") == "required_reviewers"
    for r in rule.get("reviewers") or []
))' <<< "${body}")"
if [ -n "${reviewers}" ]; then
  echo "${ENVIRONMENT} requires a review by one of: ${reviewers}."
  exit 0
fi

echo "::error::The GitHub environment ${ENVIRONMENT} has no required reviewers, so this job would change ${ENVIRONMENT} without anyone's approval; stopped before any change. The reviewers the template asked for were not set: a Backstage group is set as the GitHub team of the same name (check the team's slug, and that it has at least read access to this repository), and on GitHub Free, Pro or Team, required reviewers exist for public repositories only. Fix: Settings → Environments → ${ENVIRONMENT} → Required reviewers, then re-run. To deploy ${ENVIRONMENT} without review on purpose, set the environment's variable REQUIRE_REVIEWERS to false."
exit 1
