import {
  EndpointHealth,
  InferenceEndpoint,
  ModelMetadata,
  ProbeErrorClass,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { z } from 'zod/v3';
import type { ProxyFailure } from '../kubernetes/proxyFailure';
import {
  OutboundClient,
  OutboundError,
  OutboundResponse,
  parseJsonBody,
} from '../outbound';
import { endpointUrl, v1Paths, v2Paths } from '../protocol/inferencePaths';
import {
  directEndpointRouter,
  EndpointRoute,
  EndpointRouter,
} from '../routing/EndpointRouter';

const tensorSchema = z.object({
  name: z.string(),
  datatype: z.string(),
  shape: z.array(z.number()),
});

const v2MetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string().optional(),
  inputs: z.array(tensorSchema).optional(),
  outputs: z.array(tensorSchema).optional(),
});

const v1ModelSchema = z.object({ name: z.string(), ready: z.boolean() });

type CallResult =
  | { ok: true; response: OutboundResponse }
  | { ok: false; error: OutboundError };

interface Finding {
  errorClass: ProbeErrorClass;
  errorMessage: string;
  httpStatus?: number;
}

const PROBE_HEADERS = {
  accept: 'application/json',
  'user-agent': 'backstage-plugin-mlops-prober',
};

/** The headers of every call to a route. */
function probeHeaders(route: EndpointRoute): Record<string, string> {
  return route.headers ? { ...route.headers, ...PROBE_HEADERS } : PROBE_HEADERS;
}

async function call(
  client: OutboundClient,
  route: EndpointRoute,
  path: string,
  headers: Record<string, string> = probeHeaders(route),
): Promise<CallResult> {
  try {
    const response = await client.request({
      url: endpointUrl(route, path),
      headers,
      trustedOrigin: route.trustedOrigin,
      bearerToken: route.bearerToken,
    });
    return { ok: true, response };
  } catch (error) {
    if (error instanceof OutboundError) return { ok: false, error };
    return {
      ok: false,
      error: new OutboundError('reset', (error as Error).message),
    };
  }
}

function isSuccess(result: CallResult): boolean {
  return (
    result.ok && result.response.status >= 200 && result.response.status < 300
  );
}

/** What went wrong with one call, or undefined when it answered 2xx. */
function findingOf(label: string, result: CallResult): Finding | undefined {
  if (!result.ok) {
    return {
      errorClass: result.error.errorClass,
      errorMessage: `${label}: ${result.error.message}`,
    };
  }
  const { status } = result.response;
  if (status >= 200 && status < 300) return undefined;
  return {
    errorClass: 'bad-status',
    errorMessage: `${label} returned HTTP ${status}`,
    httpStatus: status,
  };
}

type HealthBase = Pick<EndpointHealth, 'environment' | 'url' | 'checkedAt'>;

/** What to tell the adopter about an endpoint that was not probed. */
function notProbedMessage(error: OutboundError): string {
  if (error.errorClass !== 'blocked') return `not probed: ${error.message}`;
  const remedy = error.remedy ? `; to allow it, ${error.remedy}` : '';
  return `not probed, refused by the outbound guard: ${error.message}${remedy}`;
}

/** An endpoint that was not called: nothing is known about the model itself. */
function notProbed(
  base: HealthBase,
  error: OutboundError,
  latencyMs: number,
): EndpointHealth {
  return {
    ...base,
    state: 'unknown',
    latencyMs,
    errorClass: error.errorClass,
    errorMessage: notProbedMessage(error),
  };
}

/** The health of an endpoint whose first call never got an answer. */
function unreachable(
  base: HealthBase,
  error: OutboundError,
  label: string,
  latencyMs: number,
): EndpointHealth {
  // A refusal by the guard or an invalid target says nothing about the endpoint itself.
  if (error.errorClass === 'blocked' || error.errorClass === 'invalid-target') {
    return notProbed(base, error, latencyMs);
  }
  return {
    ...base,
    state: 'down',
    live: false,
    latencyMs,
    errorClass: error.errorClass,
    errorMessage: `${label}: ${error.message}`,
  };
}

/**
 * The health of an endpoint whose service proxy answered in the model's
 * place: down when nothing behind the Service answers, otherwise unknown
 * (which the back-off does not count, so a Service deployed at last, or
 * access granted, is probed on the next cycle).
 */
function proxyFailed(
  base: HealthBase,
  failure: ProxyFailure,
  label: string,
  response: OutboundResponse,
): EndpointHealth {
  const answer = {
    ...base,
    latencyMs: response.latencyMs,
    httpStatus: response.status,
    errorClass: 'kubernetes-proxy' as const,
  };
  if (!failure.modelUnreachable) {
    return {
      ...answer,
      state: 'unknown',
      errorMessage: `model not reached: ${failure.message}`,
    };
  }
  return {
    ...answer,
    state: 'down',
    live: false,
    errorMessage: `${label}: ${failure.message}`,
  };
}

function parseV2Metadata(result: CallResult): {
  model?: ModelMetadata;
  finding?: Finding;
} {
  const finding = findingOf('model metadata', result);
  if (finding || !result.ok) return { finding };
  const parsed = v2MetadataSchema.safeParse(
    parseJsonBody(result.response.body),
  );
  if (!parsed.success) {
    return {
      finding: {
        errorClass: 'malformed-body',
        errorMessage: 'model metadata is not valid OIP V2 model metadata JSON',
        httpStatus: result.response.status,
      },
    };
  }
  return { model: parsed.data };
}

/** Options of {@link probeEndpoint}. */
export interface ProbeOptions {
  /**
   * Model metadata read by an earlier probe. When given, V2 metadata is not
   * fetched again and this is reported instead (the prober refreshes it now
   * and then, and whenever the endpoint was not healthy).
   */
  knownModel?: ModelMetadata;
  /** How the endpoint is reached; by default its URL. */
  router?: EndpointRouter;
}

function liveDown(base: HealthBase, live: OutboundResponse): EndpointHealth {
  return {
    ...base,
    state: 'down',
    live: false,
    latencyMs: live.latencyMs,
    httpStatus: live.status,
    errorClass: 'bad-status',
    errorMessage: `live returned HTTP ${live.status}`,
  };
}

async function probeV2(
  endpoint: InferenceEndpoint,
  client: OutboundClient,
  route: EndpointRoute,
  base: HealthBase,
  options: ProbeOptions,
): Promise<EndpointHealth> {
  const paths = v2Paths(endpoint.modelName);
  const headers = probeHeaders(route);
  const get = (path: string) => call(client, route, path, headers);
  const started = performance.now();
  // Every call at once, live included: a probe then costs one round trip
  // whether the endpoint is healthy or failing, which keeps a cycle over
  // hundreds of endpoints inside its interval.
  const [ready, modelReady, metadata, live] = await Promise.all([
    get(paths.ready),
    get(paths.modelReady),
    options.knownModel ? undefined : get(paths.model),
    get(paths.live),
  ]);
  const elapsed = () => Math.round(performance.now() - started);
  if (!ready.ok) return unreachable(base, ready.error, 'ready', elapsed());
  const readyProxyFailure = route.proxyFailure?.(ready.response);
  if (readyProxyFailure) {
    return proxyFailed(base, readyProxyFailure, 'ready', ready.response);
  }
  // Not ready: live tells a server that is starting or overloaded (degraded)
  // from one that is broken (down). A ready server is up whatever live says.
  if (!isSuccess(ready)) {
    if (!live.ok) return unreachable(base, live.error, 'live', elapsed());
    if (live.response.status >= 500) return liveDown(base, live.response);
  }

  const { model: fetchedModel, finding: metadataFinding } = metadata
    ? parseV2Metadata(metadata)
    : { model: options.knownModel, finding: undefined };
  const findings = [
    findingOf('live', live),
    findingOf('ready', ready),
    findingOf('model ready', modelReady),
    metadataFinding,
  ].filter((f): f is Finding => f !== undefined);
  const first = findings[0];
  return {
    ...base,
    state: first ? 'degraded' : 'healthy',
    live: isSuccess(live),
    ready: isSuccess(ready),
    modelReady: isSuccess(modelReady),
    model: fetchedModel,
    latencyMs: ready.response.latencyMs,
    httpStatus: first ? first.httpStatus : ready.response.status,
    errorClass: first?.errorClass,
    errorMessage: first?.errorMessage,
  };
}

async function probeV1(
  endpoint: InferenceEndpoint,
  client: OutboundClient,
  route: EndpointRoute,
  base: HealthBase,
): Promise<EndpointHealth> {
  const started = performance.now();
  const result = await call(client, route, v1Paths(endpoint.modelName).model);
  if (!result.ok) {
    const elapsed = Math.round(performance.now() - started);
    return unreachable(base, result.error, 'model', elapsed);
  }
  const proxyFailure = route.proxyFailure?.(result.response);
  if (proxyFailure) {
    return proxyFailed(base, proxyFailure, 'model', result.response);
  }
  const { status, latencyMs, body } = result.response;
  const common = { ...base, latencyMs, httpStatus: status };
  // KServe answers 503 while the model loads: the server is up, the model is not.
  if (status >= 500 && status !== 503) {
    return {
      ...common,
      state: 'down',
      live: false,
      errorClass: 'bad-status',
      errorMessage: `model returned HTTP ${status}`,
    };
  }
  if (status < 200 || status >= 300) {
    return {
      ...common,
      state: 'degraded',
      live: true,
      ready: false,
      modelReady: false,
      errorClass: 'bad-status',
      errorMessage: `model returned HTTP ${status}`,
    };
  }
  const parsed = v1ModelSchema.safeParse(parseJsonBody(body));
  if (!parsed.success) {
    return {
      ...common,
      state: 'degraded',
      live: true,
      errorClass: 'malformed-body',
      errorMessage: 'model status is not KServe V1 JSON {"name","ready"}',
    };
  }
  const { ready, name } = parsed.data;
  return {
    ...common,
    state: ready ? 'healthy' : 'degraded',
    live: true,
    ready,
    modelReady: ready,
    model: { name },
    errorMessage: ready ? undefined : 'model reports ready: false',
  };
}

/**
 * Probes one inference endpoint through the guarded client, at its URL or
 * through the Kubernetes service proxy (`options.router`); an endpoint that
 * cannot be routed (invalid target, unknown or unusable cluster, Kubernetes
 * plugin unreachable) is reported `unknown` without a call. When the service
 * proxy answers in the model's place (`kubernetes-proxy`), the endpoint is
 * `down` if nothing behind the Service answered, otherwise `unknown`.
 *
 * V2 (Open Inference Protocol) checks live, ready, model ready and model
 * metadata, all at once; V1 (KServe) reads `/v1/models/{m}`. `latencyMs` is the time of
 * the V2 ready call (the V1 model call), or the whole probe when that call got
 * no answer. `httpStatus` is the status behind the reported problem, otherwise
 * the ready (V1: model) call's.
 */
export async function probeEndpoint(
  endpoint: InferenceEndpoint,
  client: OutboundClient,
  options: ProbeOptions = {},
): Promise<EndpointHealth> {
  const base = {
    environment: endpoint.environment,
    url: endpoint.url,
    checkedAt: new Date().toISOString(),
  };
  const started = performance.now();
  let route: EndpointRoute;
  try {
    route = await (options.router ?? directEndpointRouter).route(endpoint);
  } catch (error) {
    // Routing failed before the model was called (Kubernetes plugin missing
    // or unreachable, cluster unusable): unknown, never down.
    const failure =
      error instanceof OutboundError
        ? error
        : new OutboundError('reset', (error as Error).message);
    const elapsed = Math.round(performance.now() - started);
    return notProbed(base, failure, elapsed);
  }
  return endpoint.protocol === 'v1'
    ? probeV1(endpoint, client, route, base)
    : probeV2(endpoint, client, route, base, options);
}
