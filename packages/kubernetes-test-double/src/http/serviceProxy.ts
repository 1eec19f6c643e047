import {
  IncomingMessage,
  request as httpRequest,
  ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ObjectStore } from '../objectStore';
import { findTypeByPlural } from '../resourceTypes';
import { KubernetesObject } from '../types';
import { SIMULATION_HEADER } from './handleRequest';
import { failureStatus } from './status';

/**
 * The Service annotation naming the local URL the test double forwards the
 * Service's `proxy` subresource to, e.g. `http://127.0.0.1:8080`.
 */
export const PROXY_TARGET_ANNOTATION = 'kubernetes-test-double/proxy-target';

/** `/api/v1/namespaces/<ns>/services/<name>[:<port>]/proxy[/<path>]`, as the API server routes it. */
const SERVICE_PROXY_PATH =
  /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;

/** The caller an RBAC refusal names: the test double does not authenticate. */
const TEST_DOUBLE_USER = 'kubernetes-test-double:caller';

/** The RBAC verb of each HTTP method, as the API server maps them. */
const RBAC_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Hop-by-hop headers, which a proxy does not forward. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'authorization',
]);

interface ProxyCall {
  namespace: string;
  service: string;
  port?: string;
  /** Path and query below the Service. */
  path: string;
}

/** The service proxy call a request URL addresses, or undefined for any other path. */
export function parseServiceProxyPath(url: string): ProxyCall | undefined {
  const queryAt = url.indexOf('?');
  const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : url.slice(queryAt);
  const match = SERVICE_PROXY_PATH.exec(pathname);
  if (!match) return undefined;
  const [, namespace, nameAndPort, rest] = match;
  const [service, port] = decodeURIComponent(nameAndPort).split(':');
  return {
    namespace: decodeURIComponent(namespace),
    service,
    port,
    path: `${rest ?? '/'}${query}`,
  };
}

/** Whether `port` (a name or a number; absent: the only port) names a port of the Service. */
function hasPort(object: KubernetesObject, port: string | undefined): boolean {
  const ports = ((object.spec as { ports?: unknown } | undefined)?.ports ??
    []) as Array<{ name?: string; port?: number }>;
  if (port === undefined) return ports.length === 1;
  return ports.some(p => p.name === port || String(p.port) === port);
}

/** Where Services are forwarded, and which refuse their proxy subresource. */
export interface ServiceProxyRules {
  /** Local URLs by `<namespace>/<service>`. */
  targets: Readonly<Record<string, string>>;
  /** `<namespace>/<service>` whose proxy subresource answers 403. */
  forbidden: ReadonlySet<string>;
}

function sendStatus(
  response: ServerResponse,
  code: number,
  message: string,
): number {
  const body = JSON.stringify(failureStatus(code, message));
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    [SIMULATION_HEADER]: 'simulation',
  });
  response.end(body);
  return code;
}

/**
 * Serves the `services/<name>:<port>/proxy/...` subresource by forwarding
 * the request (any method, body streamed) to the local URL configured for
 * the Service: `rules.targets["<namespace>/<service>"]`, else the Service's
 * `kubernetes-test-double/proxy-target` annotation. A Service in
 * `rules.forbidden` answers 403 as RBAC would, one that is not in the
 * manifests 404, a port it does not declare or a Service with no target
 * 503, as an API server does for a Service without endpoints. Resolves to
 * the status sent.
 */
export function proxyToService(
  store: ObjectStore,
  call: ProxyCall,
  rules: ServiceProxyRules,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<number> {
  const key = `${call.namespace}/${call.service}`;
  if (rules.forbidden.has(key)) {
    const verb = RBAC_VERBS[request.method ?? 'GET'] ?? 'get';
    const resource = call.port ? `${call.service}:${call.port}` : call.service;
    return Promise.resolve(
      sendStatus(
        response,
        403,
        `services "${resource}" is forbidden: User "${TEST_DOUBLE_USER}" cannot ${verb} resource "services/proxy" in API group "" in the namespace "${call.namespace}"`,
      ),
    );
  }
  const type = findTypeByPlural(store.types, '', 'v1', 'services');
  const object = type && store.get(type, call.namespace, call.service);
  if (!object) {
    return Promise.resolve(
      sendStatus(response, 404, `services "${call.service}" not found`),
    );
  }
  if (!hasPort(object, call.port)) {
    return Promise.resolve(
      sendStatus(
        response,
        503,
        `no service port "${call.port ?? ''}" found for service "${
          call.service
        }"`,
      ),
    );
  }
  const base =
    rules.targets[key] ??
    object.metadata.annotations?.[PROXY_TARGET_ANNOTATION];
  if (!base) {
    return Promise.resolve(
      sendStatus(
        response,
        503,
        `no endpoints available for service "${call.service}" (the test double has no proxy target for ${key})`,
      ),
    );
  }
  const target = new URL(`${base.replace(/\/+$/, '')}${call.path}`);
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      ([name]) => !HOP_BY_HOP.has(name.toLowerCase()),
    ),
  );
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise(resolve => {
    const upstream = send(target, { method: request.method, headers });
    upstream.on('response', answer => {
      const status = answer.statusCode ?? 502;
      const answerHeaders = Object.fromEntries(
        Object.entries(answer.headers).filter(
          ([name]) => !HOP_BY_HOP.has(name.toLowerCase()),
        ),
      );
      response.writeHead(status, {
        ...answerHeaders,
        [SIMULATION_HEADER]: 'simulation',
      });
      answer.pipe(response);
      answer.on('end', () => resolve(status));
      answer.on('error', () => resolve(status));
    });
    upstream.on('error', error => {
      if (response.headersSent) {
        response.destroy();
        resolve(502);
      } else {
        resolve(
          sendStatus(
            response,
            503,
            `error trying to reach service: ${error.message}`,
          ),
        );
      }
    });
    request.pipe(upstream);
  });
}
