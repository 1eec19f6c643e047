/**
 * The e2e's checks of a demo service reached only through the Kubernetes API
 * server's service proxy: its health, from the mlops backend's REST API, is
 * `healthy` at the endpoint `k8s:<cluster>/<ns>/<svc>:<port>`, on its entity
 * route and in the fleet.
 */

interface EndpointSummary {
  environment: string;
  url: string;
  state: string;
  errorClass?: string;
  errorMessage?: string;
}

/** A Backstage token of the guest user (the example app's sign-in provider). */
export async function guestToken(backendUrl: string): Promise<string> {
  const response = await fetch(`${backendUrl}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!response.ok) {
    throw new Error(`guest sign-in: HTTP ${response.status}`);
  }
  const body = (await response.json()) as {
    backstageIdentity?: { token?: string };
  };
  const token = body.backstageIdentity?.token;
  if (!token) throw new Error('guest sign-in: no Backstage token');
  return token;
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    throw new Error(`GET ${url}: HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}

function describe(endpoints: EndpointSummary[] | undefined): string {
  return JSON.stringify(
    (endpoints ?? []).map(({ url, state, errorClass, errorMessage }) => ({
      url,
      state,
      errorClass,
      errorMessage,
    })),
  );
}

/**
 * Waits (bounded) until the entity route and the fleet both report the
 * service's only endpoint as `k8s:<target>` and `healthy`.
 */
export async function expectHealthyThroughKubernetesProxy(
  backendUrl: string,
  service: string,
  target: string,
  timeoutMs = 60_000,
): Promise<void> {
  const token = await guestToken(backendUrl);
  const entityRef = `component:default/${service}`;
  const expected = (endpoints: EndpointSummary[] | undefined) =>
    endpoints?.length === 1 &&
    endpoints[0].url === `k8s:${target}` &&
    endpoints[0].state === 'healthy';
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const health = await getJson<{ endpoints: EndpointSummary[] }>(
      `${backendUrl}/api/mlops/v1/entities/component/default/${service}/health`,
      token,
    );
    const fleet = await getJson<{
      items: Array<{ entityRef: string; endpoints: EndpointSummary[] }>;
    }>(`${backendUrl}/api/mlops/v1/fleet`, token);
    const row = fleet.items.find(item => item.entityRef === entityRef);
    if (expected(health.endpoints) && expected(row?.endpoints)) return;
    last = `entity route ${describe(health.endpoints)}, fleet ${describe(
      row?.endpoints,
    )}`;
    if (Date.now() > deadline) {
      throw new Error(
        `${entityRef} is not healthy at k8s:${target} after ${timeoutMs} ms: ${last}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
}
