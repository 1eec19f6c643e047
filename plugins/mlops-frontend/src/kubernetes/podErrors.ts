import {
  DetectedError,
  ErrorMapper,
  ErrorSeverity,
} from '@backstage/plugin-kubernetes-common';
import { detectedError } from './detectedError';
import { Pod } from './types';

/**
 * Pod problems that `detectErrors` of `@backstage/plugin-kubernetes-common`
 * does not report, as it looks at container statuses only: a pod the
 * scheduler cannot place (a new service on a cluster without room for it)
 * and a pod the kubelet evicted.
 */
const podErrorMappers: ErrorMapper<Pod>[] = [
  {
    detectErrors: pod => {
      const unschedulable = pod.status?.conditions?.find(
        c => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
      );
      return unschedulable
        ? [
            podError(pod, {
              type: 'pod-unschedulable',
              message: unschedulable.message ?? 'The pod cannot be scheduled',
              severity: 6,
            }),
          ]
        : [];
    },
  },
  {
    detectErrors: pod =>
      pod.status?.reason === 'Evicted'
        ? [
            podError(pod, {
              type: 'pod-evicted',
              message: pod.status.message ?? 'The pod was evicted',
              severity: 4,
            }),
          ]
        : [],
  },
];

function podError(
  pod: Pod,
  error: { type: string; message: string; severity: ErrorSeverity },
): DetectedError {
  return detectedError({ kind: 'Pod', apiGroup: 'v1' }, pod, error);
}

export function detectPodErrorsUpstreamLacks(pods: Pod[]): DetectedError[] {
  return pods.flatMap(pod =>
    podErrorMappers.flatMap(mapper => mapper.detectErrors(pod)),
  );
}
