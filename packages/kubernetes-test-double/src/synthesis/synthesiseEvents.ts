import { KubernetesObject } from '../types';
import { stableHash, stableUid } from './stableHash';
import { DEPLOYED_SECONDS_AGO, timestampAgo } from './time';
import { ContainerStatus, PodStatus } from './workloadTypes';

interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
  host?: string;
  fieldPath?: string;
  count?: number;
  firstSecondsAgo: number;
  lastSecondsAgo: number;
}

/** The events the scheduler and the kubelet would have recorded for a Pod. */
export function synthesisePodEvents(
  pod: KubernetesObject,
  now: Date,
  resourceVersion: string,
  deployedSecondsAgo: number,
): KubernetesObject[] {
  const podSpec = pod.spec as { nodeName: string };
  const status = pod.status as PodStatus;
  const started = deployedSecondsAgo - 5;
  const specs: EventSpec[] = [
    {
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${podSpec.nodeName}`,
      component: 'default-scheduler',
      firstSecondsAgo: started,
      lastSecondsAgo: started,
    },
    ...status.containerStatuses.flatMap(containerStatus =>
      containerEvents(pod, containerStatus, podSpec.nodeName, started),
    ),
  ];
  return specs.map(spec => toEvent(pod, spec, now, resourceVersion));
}

/** The event the Deployment controller recorded when it created the ReplicaSet. */
export function synthesiseScalingEvent(
  deployment: KubernetesObject,
  replicaSet: KubernetesObject,
  replicas: number,
  now: Date,
  resourceVersion: string,
  deployedSecondsAgo: number,
): KubernetesObject {
  return toEvent(
    deployment,
    {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled up replica set ${replicaSet.metadata.name} from 0 to ${replicas}`,
      component: 'deployment-controller',
      firstSecondsAgo: deployedSecondsAgo,
      lastSecondsAgo: deployedSecondsAgo,
    },
    now,
    resourceVersion,
  );
}

/** The event an autoscaler recorded when it scaled to `replicas` because of high CPU use. */
export function synthesiseRescaleEvent(
  hpa: KubernetesObject,
  replicas: number,
  now: Date,
  resourceVersion: string,
): KubernetesObject {
  return toEvent(
    hpa,
    {
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: `New size: ${replicas}; reason: cpu resource utilization (percentage of request) above target`,
      component: 'horizontal-pod-autoscaler',
      firstSecondsAgo: DEPLOYED_SECONDS_AGO - 120,
      lastSecondsAgo: DEPLOYED_SECONDS_AGO - 120,
    },
    now,
    resourceVersion,
  );
}

function containerEvents(
  pod: KubernetesObject,
  status: ContainerStatus,
  host: string,
  started: number,
): EventSpec[] {
  const kubelet = {
    component: 'kubelet',
    host,
    fieldPath: `spec.containers{${status.name}}`,
  };
  const once = { firstSecondsAgo: started - 1, lastSecondsAgo: started - 1 };
  const waitingReason = status.state.waiting?.reason;
  if (waitingReason === 'ContainerCreating') {
    return [
      {
        type: 'Normal',
        reason: 'Pulling',
        message: `Pulling image "${status.image}"`,
        ...kubelet,
        ...once,
      },
    ];
  }
  if (
    waitingReason === 'ErrImagePull' ||
    waitingReason === 'ImagePullBackOff'
  ) {
    const repeatedly = { ...kubelet, count: 37, firstSecondsAgo: started - 1 };
    return [
      {
        type: 'Normal',
        reason: 'Pulling',
        message: `Pulling image "${status.image}"`,
        ...repeatedly,
        lastSecondsAgo: 95,
      },
      {
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image "${status.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${status.image}": not found`,
        ...repeatedly,
        lastSecondsAgo: 94,
      },
      {
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ErrImagePull',
        ...repeatedly,
        lastSecondsAgo: 94,
      },
      {
        type: 'Normal',
        reason: 'BackOff',
        message: `Back-off pulling image "${status.image}"`,
        ...repeatedly,
        count: 820,
        lastSecondsAgo: 8,
      },
      {
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ImagePullBackOff',
        ...repeatedly,
        count: 820,
        lastSecondsAgo: 8,
      },
    ];
  }
  const starts = {
    ...kubelet,
    count: status.restartCount + 1,
    firstSecondsAgo: started - 2,
  };
  const events: EventSpec[] = [
    {
      type: 'Normal',
      reason: 'Pulled',
      message: `Container image "${status.image}" already present on machine`,
      ...kubelet,
      ...once,
    },
    {
      type: 'Normal',
      reason: 'Created',
      message: `Created container: ${status.name}`,
      ...starts,
      lastSecondsAgo: 75,
    },
    {
      type: 'Normal',
      reason: 'Started',
      message: `Started container ${status.name}`,
      ...starts,
      lastSecondsAgo: 75,
    },
  ];
  if (waitingReason === 'CrashLoopBackOff') {
    events.push({
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${status.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      ...kubelet,
      count: 48,
      firstSecondsAgo: started - 60,
      lastSecondsAgo: 10,
    });
  } else if (status.state.running && !status.ready) {
    events.push({
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      ...kubelet,
      count: 2150,
      firstSecondsAgo: started - 10,
      lastSecondsAgo: 3,
    });
  }
  return events;
}

function toEvent(
  involved: KubernetesObject,
  spec: EventSpec,
  now: Date,
  resourceVersion: string,
): KubernetesObject {
  const { namespace, name, uid } = involved.metadata;
  const eventName = `${name}.${stableHash(
    'event',
    namespace ?? '',
    name,
    spec.reason,
    spec.message,
  ).slice(0, 16)}`;
  const first = timestampAgo(now, spec.firstSecondsAgo);
  const last = timestampAgo(now, spec.lastSecondsAgo);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName,
      namespace,
      uid: stableUid('Event', namespace ?? '', eventName),
      resourceVersion,
      creationTimestamp: first,
    },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name,
      namespace,
      uid,
      ...(spec.fieldPath && { fieldPath: spec.fieldPath }),
    },
    type: spec.type,
    reason: spec.reason,
    message: spec.message,
    source: {
      component: spec.component,
      ...(spec.host && { host: spec.host }),
    },
    reportingComponent: spec.component,
    reportingInstance: spec.host ?? '',
    count: spec.count ?? 1,
    firstTimestamp: first,
    lastTimestamp: last,
  };
}
