import { KubernetesObject } from '../types';
import { MEMORY_UTILIZATION_PERCENT } from './synthesiseHorizontalPodAutoscaler';
import { formatKibibytes, formatMillicores, parseQuantity } from './quantity';
import { timestampAgo } from './time';
import { ContainerSpec, PodStatus } from './workloadTypes';

/** Used for a container that requests no CPU or memory. */
const FALLBACK_USAGE = { cpu: 0.01, memory: 64 * 2 ** 20 };

/**
 * What metrics-server reports for a Pod (`metrics.k8s.io/v1beta1` PodMetrics): usage in proportion
 * to each running container's requests. Undefined for a Pod without running containers.
 */
export function synthesisePodMetrics(
  pod: KubernetesObject,
  cpuUtilizationPercent: number,
  now: Date,
): KubernetesObject | undefined {
  const status = pod.status as PodStatus;
  const containers = (pod.spec as { containers: ContainerSpec[] }).containers;
  const running = containers.filter(container =>
    status.containerStatuses.some(
      containerStatus =>
        containerStatus.name === container.name &&
        containerStatus.state.running,
    ),
  );
  if (running.length === 0) {
    return undefined;
  }
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      labels: pod.metadata.labels,
      creationTimestamp: timestampAgo(now, 0),
    },
    timestamp: timestampAgo(now, 15),
    window: '30s',
    containers: running.map(container => {
      const requests = container.resources?.requests ?? {};
      const cpu = parseQuantity(requests.cpu) ?? FALLBACK_USAGE.cpu;
      const memory = parseQuantity(requests.memory) ?? FALLBACK_USAGE.memory;
      return {
        name: container.name,
        usage: {
          cpu: formatMillicores((cpu * cpuUtilizationPercent) / 100),
          memory: formatKibibytes((memory * MEMORY_UTILIZATION_PERCENT) / 100),
        },
      };
    }),
  };
}
