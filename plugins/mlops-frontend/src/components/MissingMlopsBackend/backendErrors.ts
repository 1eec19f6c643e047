/** The shape of the `ResponseError` the API client throws (see `MlopsClient`). */
interface MaybeResponseError {
  statusCode?: number;
  cause?: { name?: string };
}

/**
 * Whether the mlops backend itself answered 404 for an entity it does not
 * list: it sends Backstage's JSON error body, named `NotFoundError`.
 */
export function isUnknownToMlopsBackend(error: Error): boolean {
  const { statusCode, cause } = error as MaybeResponseError;
  return statusCode === 404 && cause?.name === 'NotFoundError';
}

/**
 * Whether a 404 came from somewhere other than the mlops backend: with the
 * backend plugin not installed, Backstage answers `/api/mlops/...` with an
 * empty 404, which `ResponseError.fromResponse` turns into a cause named
 * `Error`.
 */
export function isMlopsBackendMissing(error: Error): boolean {
  const { statusCode } = error as MaybeResponseError;
  return statusCode === 404 && !isUnknownToMlopsBackend(error);
}
