/**
 * Waits until the catalog serves an entity. `catalog:register` finishes when
 * the location is added; the entity itself appears once the catalog has
 * processed it, which can take several seconds on a busy machine. The local
 * demo's backend answers unauthenticated calls (app-config.yaml), so no token
 * is needed.
 */
export async function waitForCatalogEntity(
  backendUrl: string,
  ref: { kind: string; namespace: string; name: string },
  timeoutMs = 120_000,
): Promise<void> {
  const url = `${backendUrl}/api/catalog/entities/by-name/${ref.kind}/${ref.namespace}/${ref.name}`;
  const deadline = Date.now() + timeoutMs;
  let lastStatus = 0;
  while (Date.now() < deadline) {
    const res = await fetch(url).catch(() => undefined);
    lastStatus = res?.status ?? 0;
    if (res?.ok) return;
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(
    `${ref.kind}:${ref.namespace}/${ref.name} not in the catalog after ${timeoutMs} ms (last status ${lastStatus})`,
  );
}
