#!/usr/bin/env bash
# Tags the image an environment is about to run "<environment>-run-<run id>-<attempt>", beside its
# commit tag; the digest stays the same. Run by .github/workflows/deploy.yml before each rollout.
#
# Why: the repository's lifecycle policy (set by the Backstage template's mlops:ecr:ensure) keeps
# the last images of each environment's tag prefix apart from the other builds. Without this tag
# the image prod runs is just an older build, expired once enough newer ones are pushed, and the
# next pod that starts on a new node fails with ImagePullBackOff.
#
# Reads AWS_ACCOUNT_ID, ECR_REPOSITORY_NAME, IMAGE_DIGEST, ENVIRONMENT, and GITHUB_RUN_ID and
# GITHUB_RUN_ATTEMPT (set by GitHub). Needs ecr:BatchGetImage and ecr:PutImage on the repository.
set -euo pipefail

tag="${ENVIRONMENT}-run-${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}"
repository=(--registry-id "${AWS_ACCOUNT_ID}" --repository-name "${ECR_REPOSITORY_NAME}")
image=(
  --image-ids "imageDigest=${IMAGE_DIGEST}"
  --accepted-media-types
  application/vnd.docker.distribution.manifest.v2+json
  application/vnd.oci.image.manifest.v1+json
  application/vnd.docker.distribution.manifest.list.v2+json
  application/vnd.oci.image.index.v1+json
)

media_type="$(aws ecr batch-get-image "${repository[@]}" "${image[@]}" \
  --query 'images[0].imageManifestMediaType' --output text)"
if [ -z "${media_type}" ] || [ "${media_type}" = None ]; then
  echo "::error::Image ${IMAGE_DIGEST} is not in the ECR repository ${ECR_REPOSITORY_NAME}, so it cannot be deployed to ${ENVIRONMENT} (a digest expired by the lifecycle policy, or mistyped)."
  exit 1
fi
# The manifest byte for byte (its digest is checked on put): keep what the command substitution
# would strip, and drop only the newline the CLI adds.
manifest="$(aws ecr batch-get-image "${repository[@]}" "${image[@]}" \
  --query 'images[0].imageManifest' --output text && printf x)"
manifest="${manifest%$'\n'x}"

if output="$(aws ecr put-image "${repository[@]}" --image-tag "${tag}" --image-digest "${IMAGE_DIGEST}" \
  --image-manifest "${manifest}" --image-manifest-media-type "${media_type}" 2>&1)"; then
  echo "Tagged ${IMAGE_DIGEST} ${tag}: the ${ENVIRONMENT} lifecycle rule keeps it."
elif [ "$(aws ecr describe-images "${repository[@]}" --image-ids "imageTag=${tag}" \
  --query 'imageDetails[0].imageDigest' --output text 2> /dev/null)" = "${IMAGE_DIGEST}" ]; then
  echo "${IMAGE_DIGEST} is already tagged ${tag} (a re-run)."
else
  echo "::error::Could not tag ${IMAGE_DIGEST} ${tag} in ${ECR_REPOSITORY_NAME}, so newer builds could expire the image ${ENVIRONMENT} is about to run: ${output//$'\n'/ }"
  exit 1
fi
