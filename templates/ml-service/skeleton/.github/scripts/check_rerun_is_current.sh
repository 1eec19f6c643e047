#!/usr/bin/env bash
# Stops a re-run of an older deploy run before it changes anything. Run first by
# .github/workflows/deploy.yml's terraform and deploy jobs.
#
# Why: "Re-run jobs" repeats a run with its own commit. Once a newer commit has been deployed, a
# re-run of an older run would apply that older commit's Terraform plan and deploy its older image
# over the newer one, in every environment it reaches. A first attempt is never refused: runs
# queue one after another (the workflow's concurrency group), so a run may finish after a newer
# push. Going back to an older version is a rollback (image_digest) or a revert commit.
#
# Reads GITHUB_RUN_ATTEMPT, GITHUB_SHA, GITHUB_REPOSITORY and GITHUB_API_URL (set by GitHub), BRANCH
# (the deploy branch), ROLLBACK_DIGEST (the run's image_digest input; a rollback is never refused)
# and GH_TOKEN (the job's token, which needs `contents: read`).
set -euo pipefail

if [ "${GITHUB_RUN_ATTEMPT:-1}" = 1 ] || [ -n "${ROLLBACK_DIGEST:-}" ]; then
  exit 0
fi

# shellcheck source=github_api.sh
source "$(dirname "${BASH_SOURCE[0]}")/github_api.sh"
github_get "/repos/${GITHUB_REPOSITORY}/commits/heads/${BRANCH}" || {
  echo "::error::Could not reach the GitHub API to read the head of ${BRANCH}; re-run the job."
  exit 1
}
head="$(python3 -c 'import json, sys; print(json.load(sys.stdin).get("sha", ""))' <<< "${GITHUB_BODY}" 2> /dev/null || true)"
if [ "${GITHUB_STATUS}" != 200 ] || [ -z "${head}" ]; then
  echo "::error::Could not read the head of ${BRANCH} (HTTP ${GITHUB_STATUS}), so this re-run cannot tell whether it would deploy older code; stopped before any change. The job's token needs 'contents: read'."
  exit 1
fi

if [ "${head}" = "${GITHUB_SHA}" ]; then
  echo "This re-run (attempt ${GITHUB_RUN_ATTEMPT}) deploys ${GITHUB_SHA}, the head of ${BRANCH}."
  exit 0
fi

echo "::error::This is a re-run (attempt ${GITHUB_RUN_ATTEMPT}) of ${GITHUB_SHA}, but ${BRANCH} is at ${head} now: it would apply older Terraform and deploy an older image over newer ones; stopped before any change. To go back to this version, run the deploy workflow with image_digest (docs/runbook.md, \"Roll back\") or revert the newer commits; to deploy the head, re-run its own run."
exit 1
