/**
 * Calls `call`, and again after each of `delaysMs` while it fails with an
 * error `isTransient` accepts; the last failure is thrown. For AWS's eventual
 * consistency right after a create, which the SDK's own retries do not cover
 * (they retry throttling and 5xx, not a 400 that a later call would not get).
 */
export async function retryWhile<T>(
  isTransient: (error: unknown) => boolean,
  call: () => Promise<T>,
  delaysMs: readonly number[],
): Promise<T> {
  for (const delay of delaysMs) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error)) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, delay));
    }
  }
  return call();
}

/**
 * About two minutes in all, as terraform-provider-aws allows IAM and
 * DynamoDB to settle after a create.
 */
export const SETTLE_DELAYS_MS: readonly number[] = [
  2000, 4000, 8000, 15000, 30000, 30000, 30000,
];
