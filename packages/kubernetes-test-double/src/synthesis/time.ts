/** An RFC 3339 timestamp (whole seconds, as the API server writes them) `secondsAgo` before `now`. */
export function timestampAgo(now: Date, secondsAgo: number): string {
  return new Date(now.getTime() - secondsAgo * 1000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** How long ago the simulated manifests were applied and the rollout began. */
export const DEPLOYED_SECONDS_AGO = 3 * 60 * 60;
