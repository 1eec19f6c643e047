import { DeploymentScenario } from '../types';

/** What the simulated kubelet reports for one replica. */
export type ReplicaCondition =
  | 'ready'
  | 'not-ready'
  | 'crash-loop'
  | 'err-image-pull'
  | 'image-pull-back-off'
  | 'restarted-after-oom';

/** How far the Deployment controller got with the rollout. */
export type RolloutProgress = 'complete' | 'in-progress' | 'deadline-exceeded';

export interface ScenarioBehaviour {
  /** The condition of each replica, by index; the unhealthy ones are the last. */
  replicaConditions(replicas: number): ReplicaCondition[];
  rolloutProgress: RolloutProgress;
  /** Average CPU use of the running replicas, in percent of their request. */
  cpuUtilizationPercent: number;
  /** Whether the HorizontalPodAutoscaler has scaled to its maximum. */
  scaledToMaximum: boolean;
}

/** All replicas `ready` except the last ones, which get `lastConditions` (last element last). */
function lastReplicas(
  ...lastConditions: ReplicaCondition[]
): (replicas: number) => ReplicaCondition[] {
  return replicas =>
    Array.from({ length: replicas }, (_, index) => {
      const fromEnd = replicas - 1 - index;
      return lastConditions[lastConditions.length - 1 - fromEnd] ?? 'ready';
    });
}

const BEHAVIOURS: Record<DeploymentScenario, ScenarioBehaviour> = {
  healthy: {
    replicaConditions: lastReplicas(),
    rolloutProgress: 'complete',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
  },
  stalled: {
    replicaConditions: lastReplicas('not-ready'),
    rolloutProgress: 'deadline-exceeded',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
  },
  crashloop: {
    replicaConditions: lastReplicas('crash-loop'),
    rolloutProgress: 'in-progress',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
  },
  imagepull: {
    replicaConditions: lastReplicas('err-image-pull', 'image-pull-back-off'),
    rolloutProgress: 'in-progress',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
  },
  oomkilled: {
    replicaConditions: lastReplicas('restarted-after-oom'),
    rolloutProgress: 'complete',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
  },
  'hpa-max': {
    replicaConditions: lastReplicas(),
    rolloutProgress: 'complete',
    cpuUtilizationPercent: 135,
    scaledToMaximum: true,
  },
};

export function behaviourOf(scenario: DeploymentScenario): ScenarioBehaviour {
  return BEHAVIOURS[scenario];
}
