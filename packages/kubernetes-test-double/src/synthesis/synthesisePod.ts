import { KubernetesObject } from '../types';
import { ReplicaCondition } from './scenarioBehaviour';
import {
  stableHash,
  stableNameSuffix,
  stableNumber,
  stableUid,
} from './stableHash';
import { timestampAgo } from './time';
import { parseQuantity } from './quantity';
import {
  ContainerSpec,
  ContainerStatus,
  PodStatus,
  PodTemplate,
} from './workloadTypes';

const NODES = [
  { name: 'simulated-node-a', ip: '10.0.1.10' },
  { name: 'simulated-node-b', ip: '10.0.2.10' },
  { name: 'simulated-node-c', ip: '10.0.3.10' },
];

/** How many times the container of a crash-looping replica has been restarted. */
export const CRASH_LOOP_RESTARTS = 6;
/** How many times the container of a replica that ran out of memory has been restarted. */
export const OOM_RESTARTS = 2;

export interface PodInput {
  replicaSet: KubernetesObject;
  template: PodTemplate;
  index: number;
  condition: ReplicaCondition;
  now: Date;
  resourceVersion: string;
  /** How long before `now` the rollout that created the Pod began. */
  deployedSecondsAgo: number;
}

/** A Pod of a ReplicaSet as the kubelet would report it in the given condition. */
export function synthesisePod(input: PodInput): KubernetesObject {
  const { replicaSet, template, index, condition, now, resourceVersion } =
    input;
  const namespace = replicaSet.metadata.namespace!;
  const name = `${replicaSet.metadata.name}-${stableNameSuffix(
    5,
    namespace,
    replicaSet.metadata.name,
    String(index),
  )}`;
  const node = NODES[index % NODES.length];
  const startedSecondsAgo = input.deployedSecondsAgo - 5 - index * 3;
  const containerStatuses = template.spec.containers.map(
    (container, containerIndex) =>
      containerStatus({
        container,
        // The scenario hits the first (main) container; sidecars stay healthy.
        condition: containerIndex === 0 ? condition : 'ready',
        podName: name,
        namespace,
        now,
        startedSecondsAgo,
      }),
  );
  const ready = containerStatuses.every(status => status.ready);
  const waitingForImage = containerStatuses.some(
    status => status.state.waiting && !status.containerID,
  );
  const status: PodStatus = {
    phase: waitingForImage ? 'Pending' : 'Running',
    conditions: podConditions(ready, containerStatuses, now, startedSecondsAgo),
    hostIP: node.ip,
    hostIPs: [{ ip: node.ip }],
    podIP: podIp(namespace, name),
    podIPs: [{ ip: podIp(namespace, name) }],
    startTime: timestampAgo(now, startedSecondsAgo),
    qosClass: qosClass(template.spec.containers),
    containerStatuses,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${replicaSet.metadata.name}-`,
      namespace,
      uid: stableUid('Pod', namespace, name),
      resourceVersion,
      creationTimestamp: timestampAgo(now, startedSecondsAgo),
      labels: { ...template.metadata?.labels },
      ...(template.metadata?.annotations && {
        annotations: { ...template.metadata.annotations },
      }),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: replicaSet.metadata.name,
          uid: replicaSet.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      ...structuredClone(template.spec),
      nodeName: node.name,
    },
    status,
  };
}

/**
 * `<repository>@sha256:<digest>`, as the kubelet reports a pulled image: the digest in the
 * reference if there is one, else one derived from the reference.
 */
export function imageIdOf(image: string): string {
  if (image.includes('@sha256:')) {
    return image;
  }
  const lastSlash = image.lastIndexOf('/');
  const tagColon = image.indexOf(':', lastSlash + 1);
  const repository = tagColon === -1 ? image : image.slice(0, tagColon);
  return `${repository}@sha256:${stableHash('image', image)}`;
}

function containerStatus(options: {
  container: ContainerSpec;
  condition: ReplicaCondition;
  podName: string;
  namespace: string;
  now: Date;
  startedSecondsAgo: number;
}): ContainerStatus {
  const { container, condition, podName, namespace, now, startedSecondsAgo } =
    options;
  const image = container.image ?? '';
  const containerId = (attempt: number) =>
    `containerd://${stableHash(
      'container',
      namespace,
      podName,
      container.name,
      String(attempt),
    )}`;
  const pulled = {
    name: container.name,
    image,
    imageID: imageIdOf(image),
  };
  /** A container whose image is not on the node yet: nothing was started. */
  const notPulled = {
    name: container.name,
    image,
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    lastState: {},
  };
  switch (condition) {
    case 'ready':
    case 'not-ready':
      return {
        ...pulled,
        containerID: containerId(0),
        ready: condition === 'ready',
        started: true,
        restartCount: 0,
        state: {
          running: { startedAt: timestampAgo(now, startedSecondsAgo - 2) },
        },
        lastState: {},
      };
    case 'crash-loop':
      return {
        ...pulled,
        containerID: containerId(CRASH_LOOP_RESTARTS),
        ready: false,
        started: false,
        restartCount: CRASH_LOOP_RESTARTS,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 5m0s restarting failed container=${
              container.name
            } pod=${podName}_${namespace}(${stableUid(
              'Pod',
              namespace,
              podName,
            )})`,
          },
        },
        lastState: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: timestampAgo(now, 75),
            finishedAt: timestampAgo(now, 70),
            containerID: containerId(CRASH_LOOP_RESTARTS),
          },
        },
      };
    case 'err-image-pull':
    case 'image-pull-back-off':
      return {
        ...notPulled,
        state: {
          waiting:
            condition === 'err-image-pull'
              ? {
                  reason: 'ErrImagePull',
                  message: `failed to pull and unpack image "${image}": not found`,
                }
              : {
                  reason: 'ImagePullBackOff',
                  message: `Back-off pulling image "${image}"`,
                },
        },
      };
    case 'container-creating':
      return {
        ...notPulled,
        state: { waiting: { reason: 'ContainerCreating' } },
      };
    case 'restarted-after-oom':
      return {
        ...pulled,
        containerID: containerId(OOM_RESTARTS),
        ready: true,
        started: true,
        restartCount: OOM_RESTARTS,
        state: { running: { startedAt: timestampAgo(now, 12 * 60) } },
        lastState: {
          terminated: {
            exitCode: 137,
            reason: 'OOMKilled',
            startedAt: timestampAgo(now, 40 * 60),
            finishedAt: timestampAgo(now, 12 * 60 + 1),
            containerID: containerId(OOM_RESTARTS - 1),
          },
        },
      };
    default:
      throw new Error(`unknown replica condition ${condition}`);
  }
}

function podConditions(
  ready: boolean,
  containerStatuses: ContainerStatus[],
  now: Date,
  startedSecondsAgo: number,
) {
  const since = timestampAgo(now, startedSecondsAgo);
  const notReady = containerStatuses
    .filter(status => !status.ready)
    .map(status => status.name);
  const readiness = ready
    ? { status: 'True' }
    : {
        status: 'False',
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${notReady.join(' ')}]`,
      };
  return [
    {
      type: 'PodReadyToStartContainers',
      status: 'True',
      lastTransitionTime: since,
    },
    { type: 'Initialized', status: 'True', lastTransitionTime: since },
    { type: 'Ready', ...readiness, lastTransitionTime: since },
    { type: 'ContainersReady', ...readiness, lastTransitionTime: since },
    { type: 'PodScheduled', status: 'True', lastTransitionTime: since },
  ];
}

function qosClass(containers: ContainerSpec[]): string {
  const resources = containers.map(container => container.resources ?? {});
  const declaresNothing = resources.every(
    ({ requests, limits }) =>
      Object.keys(requests ?? {}).length === 0 &&
      Object.keys(limits ?? {}).length === 0,
  );
  if (declaresNothing) {
    return 'BestEffort';
  }
  const guaranteed = resources.every(({ requests, limits }) =>
    ['cpu', 'memory'].every(
      name =>
        limits?.[name] !== undefined &&
        parseQuantity(requests?.[name] ?? limits[name]) ===
          parseQuantity(limits[name]),
    ),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function podIp(namespace: string, name: string): string {
  return `10.0.${64 + stableNumber(128, 'ip', namespace, name)}.${
    2 + stableNumber(250, 'ip-host', namespace, name)
  }`;
}
