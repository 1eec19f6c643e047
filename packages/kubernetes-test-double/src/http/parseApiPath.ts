/** What a request path of the Kubernetes API addresses. */
export type ApiPath =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'coreApiVersions' }
  | { type: 'apiGroupList' }
  | { type: 'apiGroup'; group: string }
  | { type: 'apiResourceList'; group: string; version: string }
  | {
      type: 'collection';
      group: string;
      version: string;
      plural: string;
      namespace?: string;
    }
  | {
      type: 'object';
      group: string;
      version: string;
      plural: string;
      namespace?: string;
      name: string;
      subresource?: string;
    }
  | { type: 'unknown' };

/**
 * Parses `/api/v1/...` and `/apis/<group>/<version>/...` paths: `<plural>`, `<plural>/<name>`,
 * `namespaces/<ns>/<plural>`, `namespaces/<ns>/<plural>/<name>` and `.../<name>/<subresource>`,
 * plus the discovery and health paths.
 */
export function parseApiPath(pathname: string): ApiPath {
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { type: 'unknown' };
  }
  const [root, ...afterRoot] = segments;
  if (segments.length === 1 && root === 'version') {
    return { type: 'version' };
  }
  if (segments.length === 1 && ['healthz', 'livez', 'readyz'].includes(root)) {
    return { type: 'health' };
  }
  if (root === 'api') {
    if (afterRoot.length === 0) {
      return { type: 'coreApiVersions' };
    }
    const [version, ...rest] = afterRoot;
    return parseGroupVersionRest('', version, rest);
  }
  if (root === 'apis') {
    if (afterRoot.length === 0) {
      return { type: 'apiGroupList' };
    }
    const [group, version, ...rest] = afterRoot;
    if (version === undefined) {
      return { type: 'apiGroup', group };
    }
    return parseGroupVersionRest(group, version, rest);
  }
  return { type: 'unknown' };
}

function parseGroupVersionRest(
  group: string,
  version: string,
  rest: string[],
): ApiPath {
  if (rest.length === 0) {
    return { type: 'apiResourceList', group, version };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest.length <= 5) {
    const [, namespace, plural, name, subresource] = rest;
    return name === undefined
      ? { type: 'collection', group, version, plural, namespace }
      : {
          type: 'object',
          group,
          version,
          plural,
          namespace,
          name,
          subresource,
        };
  }
  if (rest.length <= 2) {
    const [plural, name] = rest;
    return name === undefined
      ? { type: 'collection', group, version, plural }
      : { type: 'object', group, version, plural, name };
  }
  return { type: 'unknown' };
}
