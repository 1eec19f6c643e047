import { DetectedError } from '@backstage/plugin-kubernetes-common';

/** A problem of one object, as `detectErrors` reports its own. */
export function detectedError(
  source: { kind: string; apiGroup: string },
  object: { metadata?: { name?: string; namespace?: string } },
  error: Pick<DetectedError, 'type' | 'message' | 'severity'>,
): DetectedError {
  return {
    ...error,
    sourceRef: {
      name: object.metadata?.name ?? `unknown ${source.kind.toLowerCase()}`,
      namespace: object.metadata?.namespace ?? 'unknown namespace',
      ...source,
    },
    occurrenceCount: 1,
  };
}
