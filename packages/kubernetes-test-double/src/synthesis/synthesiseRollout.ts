import { KubernetesObject } from '../types';
import { ScenarioBehaviour } from './scenarioBehaviour';
import { stableNameSuffix, stableUid } from './stableHash';
import { synthesisePod } from './synthesisePod';
import { timestampAgo } from './time';
import { ContainerStatus, DeploymentSpec, PodStatus } from './workloadTypes';

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export interface Rollout {
  /** The Deployment with the replica count and status the controllers would have written. */
  deployment: KubernetesObject;
  replicaSet: KubernetesObject;
  pods: KubernetesObject[];
}

/**
 * What the Deployment controller and the kubelets make of a Deployment: one ReplicaSet (a single,
 * first revision) owning `replicas` Pods in the scenario's conditions, and the Deployment's status.
 */
export function synthesiseRollout(options: {
  deployment: KubernetesObject;
  replicas: number;
  behaviour: ScenarioBehaviour;
  now: Date;
  resourceVersion: string;
}): Rollout {
  const { deployment, replicas, behaviour, now, resourceVersion } = options;
  const spec = deploymentSpecOf(deployment);
  const namespace = deployment.metadata.namespace!;
  const podTemplateHash = stableNameSuffix(
    10,
    namespace,
    deployment.metadata.name,
    JSON.stringify(spec.template),
  );
  const replicaSetName = `${deployment.metadata.name}-${podTemplateHash}`;
  const templateLabels = {
    ...spec.template.metadata?.labels,
    'pod-template-hash': podTemplateHash,
  };
  const template = {
    ...spec.template,
    metadata: { ...spec.template.metadata, labels: templateLabels },
  };
  const createdAt = timestampAgo(now, behaviour.deployedSecondsAgo);
  const replicaSet: KubernetesObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSetName,
      namespace,
      uid: stableUid('ReplicaSet', namespace, replicaSetName),
      resourceVersion,
      generation: 1,
      creationTimestamp: createdAt,
      labels: templateLabels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(
          replicas + maxSurge(spec, replicas),
        ),
        [REVISION_ANNOTATION]: '1',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment.metadata.name,
          uid: deployment.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas,
      ...(spec.minReadySeconds !== undefined && {
        minReadySeconds: spec.minReadySeconds,
      }),
      selector: {
        ...spec.selector,
        matchLabels: {
          ...spec.selector?.matchLabels,
          'pod-template-hash': podTemplateHash,
        },
      },
      template: structuredClone(template),
    },
  };
  const pods = behaviour.replicaConditions(replicas).map((condition, index) =>
    synthesisePod({
      replicaSet,
      template,
      index,
      condition,
      now,
      resourceVersion,
      deployedSecondsAgo: behaviour.deployedSecondsAgo,
    }),
  );
  const counts = countReplicas(pods);
  replicaSet.status = {
    replicas,
    fullyLabeledReplicas: replicas,
    readyReplicas: counts.ready,
    availableReplicas: counts.ready,
    observedGeneration: 1,
  };
  return {
    deployment: {
      ...deployment,
      metadata: {
        ...deployment.metadata,
        annotations: {
          ...deployment.metadata.annotations,
          [REVISION_ANNOTATION]: '1',
        },
      },
      spec: { ...spec, replicas },
      status: deploymentStatus({
        spec,
        replicas,
        ready: counts.ready,
        behaviour,
        replicaSetName,
        now,
      }),
    },
    replicaSet,
    pods,
  };
}

export function deploymentSpecOf(deployment: KubernetesObject): DeploymentSpec {
  const spec = deployment.spec as DeploymentSpec | undefined;
  if (!Array.isArray(spec?.template?.spec?.containers)) {
    throw new Error(
      `Deployment ${deployment.metadata.name} has no spec.template.spec.containers`,
    );
  }
  return spec;
}

function countReplicas(pods: KubernetesObject[]): { ready: number } {
  const ready = pods.filter(pod =>
    (pod.status as PodStatus).containerStatuses.every(
      (status: ContainerStatus) => status.ready,
    ),
  ).length;
  return { ready };
}

function deploymentStatus(options: {
  spec: DeploymentSpec;
  replicas: number;
  ready: number;
  behaviour: ScenarioBehaviour;
  replicaSetName: string;
  now: Date;
}) {
  const { spec, replicas, ready, behaviour, replicaSetName, now } = options;
  const available = ready;
  const hasMinimumAvailability =
    available >= replicas - maxUnavailable(spec, replicas);
  const progressedAt = timestampAgo(
    now,
    behaviour.rolloutProgress === 'deadline-exceeded'
      ? behaviour.deployedSecondsAgo - 600
      : behaviour.deployedSecondsAgo - 60,
  );
  const progressing = {
    complete: {
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${replicaSetName}" has successfully progressed.`,
    },
    'in-progress': {
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${replicaSetName}" is progressing.`,
    },
    'deadline-exceeded': {
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${replicaSetName}" has timed out progressing.`,
    },
  }[behaviour.rolloutProgress];
  return {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: available,
    ...(replicas > available && { unavailableReplicas: replicas - available }),
    conditions: [
      {
        type: 'Available',
        ...(hasMinimumAvailability
          ? {
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
            }
          : {
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            }),
        lastUpdateTime: progressedAt,
        lastTransitionTime: progressedAt,
      },
      {
        type: 'Progressing',
        ...progressing,
        lastUpdateTime: progressedAt,
        lastTransitionTime: progressedAt,
      },
    ],
  };
}

/** `maxUnavailable` of a rolling update as a number of replicas (percentages round down). */
function maxUnavailable(spec: DeploymentSpec, replicas: number): number {
  if (spec.strategy?.type === 'Recreate') {
    return 0;
  }
  return resolveIntOrPercent(
    spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%',
    replicas,
    Math.floor,
  );
}

/** `maxSurge` of a rolling update as a number of replicas (percentages round up). */
function maxSurge(spec: DeploymentSpec, replicas: number): number {
  if (spec.strategy?.type === 'Recreate') {
    return 0;
  }
  return resolveIntOrPercent(
    spec.strategy?.rollingUpdate?.maxSurge ?? '25%',
    replicas,
    Math.ceil,
  );
}

function resolveIntOrPercent(
  value: number | string,
  replicas: number,
  round: (n: number) => number,
): number {
  if (typeof value === 'number') {
    return value;
  }
  const percent = /^(\d+)%$/.exec(value);
  if (percent) {
    return round((replicas * Number(percent[1])) / 100);
  }
  return Number(value) || 0;
}
