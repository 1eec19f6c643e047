import { IncomingMessage, ServerResponse } from 'node:http';
import { parseFieldSelector } from '../fieldSelector';
import { SelectorSyntaxError, parseLabelSelector } from '../labelSelector';
import { ObjectStore } from '../objectStore';
import { ResourceType, apiVersionOf, findTypeByPlural } from '../resourceTypes';
import { simulatedPodLog } from '../synthesis/podLogs';
import { KubernetesObject } from '../types';
import {
  VERSION_INFO,
  apiGroup,
  apiGroupList,
  apiResourceList,
  coreApiVersions,
} from './discovery';
import { ApiPath, parseApiPath } from './parseApiPath';
import {
  failureStatus,
  methodNotAllowed,
  objectNotFound,
  resourceNotFound,
} from './status';

/** Set on every answer, so that no one mistakes the test double for a cluster. */
export const SIMULATION_HEADER = 'X-Kubernetes-Test-Double';

interface Answer {
  status: number;
  body: unknown;
  contentType?: string;
}

/** Answers one request of the read-only Kubernetes API from the store; returns the status code sent. */
export function handleRequest(
  store: ObjectStore,
  request: IncomingMessage,
  response: ServerResponse,
): number {
  const answer = answerRequest(
    store,
    request.method ?? 'GET',
    request.url ?? '/',
  );
  const contentType = answer.contentType ?? 'application/json';
  const body =
    contentType === 'application/json'
      ? JSON.stringify(answer.body)
      : String(answer.body);
  response.writeHead(answer.status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
    [SIMULATION_HEADER]: 'simulation',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
  return answer.status;
}

function answerRequest(
  store: ObjectStore,
  method: string,
  url: string,
): Answer {
  if (method !== 'GET' && method !== 'HEAD') {
    return { status: 405, body: methodNotAllowed() };
  }
  const { pathname, searchParams } = new URL(url, 'http://test-double.invalid');
  const path = parseApiPath(pathname);
  try {
    return answerPath(store, path, searchParams);
  } catch (error) {
    if (error instanceof SelectorSyntaxError) {
      return { status: 400, body: failureStatus(400, error.message) };
    }
    throw error;
  }
}

function answerPath(
  store: ObjectStore,
  path: ApiPath,
  query: URLSearchParams,
): Answer {
  switch (path.type) {
    case 'version':
      return ok(VERSION_INFO);
    case 'health':
      return { status: 200, body: 'ok', contentType: 'text/plain' };
    case 'coreApiVersions':
      return ok(coreApiVersions());
    case 'apiGroupList':
      return ok(apiGroupList(store.types));
    case 'apiGroup':
      return okOrNotFound(apiGroup(store.types, path.group));
    case 'apiResourceList':
      return okOrNotFound(
        apiResourceList(store.types, path.group, path.version),
      );
    case 'collection':
      return answerCollection(store, path, query);
    case 'object':
      return answerObject(store, path, query);
    default:
      return { status: 404, body: resourceNotFound() };
  }
}

function answerCollection(
  store: ObjectStore,
  path: Extract<ApiPath, { type: 'collection' }>,
  query: URLSearchParams,
): Answer {
  const type = findTypeByPlural(
    store.types,
    path.group,
    path.version,
    path.plural,
  );
  if (!type || (path.namespace !== undefined && !type.namespaced)) {
    return { status: 404, body: resourceNotFound() };
  }
  if (['true', '1'].includes(query.get('watch') ?? '')) {
    return {
      status: 400,
      body: failureStatus(
        400,
        'the Kubernetes test double does not support watch',
      ),
    };
  }
  const items = store.list({
    type,
    namespace: path.namespace,
    labelSelector: parseLabelSelector(query.get('labelSelector') ?? ''),
    fieldSelector: parseFieldSelector(query.get('fieldSelector') ?? ''),
  });
  return ok({
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: store.resourceVersion },
    items: items.map(item => asListItem(type, item)),
  });
}

function answerObject(
  store: ObjectStore,
  path: Extract<ApiPath, { type: 'object' }>,
  query: URLSearchParams,
): Answer {
  const type = findTypeByPlural(
    store.types,
    path.group,
    path.version,
    path.plural,
  );
  if (!type || type.namespaced !== (path.namespace !== undefined)) {
    return { status: 404, body: resourceNotFound() };
  }
  const object = store.get(type, path.namespace, path.name);
  if (!object) {
    return { status: 404, body: objectNotFound(type, path.name) };
  }
  if (path.subresource === undefined || path.subresource === 'status') {
    return ok(object);
  }
  if (path.subresource === 'log' && type.kind === 'Pod' && !type.group) {
    const log = simulatedPodLog(
      object,
      query.get('container') ?? undefined,
      query.has('previous') && query.get('previous') !== 'false',
    );
    return log.ok
      ? { status: 200, body: log.text, contentType: 'text/plain' }
      : { status: 400, body: failureStatus(400, log.message) };
  }
  return { status: 404, body: resourceNotFound() };
}

/** Typed lists of the API server carry no `kind` / `apiVersion` on their items; custom resources do. */
function asListItem(type: ResourceType, object: KubernetesObject) {
  if (!type.builtIn) {
    return object;
  }
  const { kind: _kind, apiVersion: _apiVersion, ...item } = object;
  return item;
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function okOrNotFound(body: unknown): Answer {
  return body === undefined
    ? { status: 404, body: resourceNotFound() }
    : ok(body);
}
