import { ResourceType } from '../resourceTypes';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** A `Status` object, the body the Kubernetes API answers errors with. */
export function failureStatus(
  code: number,
  message: string,
  details: Record<string, unknown> = {},
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    details,
    code,
  };
}

export function resourceNotFound() {
  return failureStatus(404, 'the server could not find the requested resource');
}

export function objectNotFound(type: ResourceType, name: string) {
  const resource = type.group ? `${type.plural}.${type.group}` : type.plural;
  return failureStatus(404, `${resource} "${name}" not found`, {
    name,
    ...(type.group && { group: type.group }),
    kind: type.plural,
  });
}

export function methodNotAllowed() {
  return failureStatus(
    405,
    'the Kubernetes test double is read-only: only GET is allowed',
  );
}
