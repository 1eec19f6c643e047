/**
 * The tag the ml-service template's deploy workflow puts on the image it rolls
 * out to an environment, just before the rollout:
 * `<environment>-run-<run id>-<attempt>` (`.github/scripts/tag_deployed_image.sh`).
 * The repository's lifecycle policy keeps each environment's last ones, so an
 * environment that has been deployed keeps one.
 */
const DEPLOY_TAG = /^(.+?)-run-\d+-\d+$/;

/**
 * The environment an image tag says the image was deployed to, or undefined
 * for any other tag (a commit, `latest`).
 *
 * @public
 */
export function environmentOfDeployTag(tag: string): string | undefined {
  return DEPLOY_TAG.exec(tag)?.[1];
}

/**
 * The pattern of an environment's deploy tags, as messages show it:
 * `<environment>-run-*`.
 *
 * @public
 */
export function deployTagPattern(environment: string): string {
  return `${environment}-run-*`;
}
