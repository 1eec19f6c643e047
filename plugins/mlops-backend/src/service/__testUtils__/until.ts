/**
 * Resolves once `condition` holds, checking every 5 ms; fails naming `what`
 * after `timeoutMs`.
 */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}
