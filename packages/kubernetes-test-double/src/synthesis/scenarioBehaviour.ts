import { DeploymentScenario } from '../types';
import { DEPLOYED_SECONDS_AGO } from './time';

/** What the simulated kubelet reports for one replica. */
export type ReplicaCondition =
  | 'ready'
  | 'not-ready'
  | 'crash-loop'
  | 'err-image-pull'
  | 'image-pull-back-off'
  | 'restarted-after-oom'
  | 'container-creating';

/** How far the Deployment controller got with the rollout. */
export type RolloutProgress = 'complete' | 'in-progress' | 'deadline-exceeded';

export interface ScenarioBehaviour {
  /** The condition of each replica, by index; the unhealthy ones are the last. */
  replicaConditions(replicas: number): ReplicaCondition[];
  rolloutProgress: RolloutProgress;
  /**
   * Average CPU use of the running replicas, in percent of their request;
   * undefined when no replica runs, so the metrics API has none.
   */
  cpuUtilizationPercent?: number;
  /** Whether the HorizontalPodAutoscaler has scaled to its maximum. */
  scaledToMaximum: boolean;
  /** How long before the simulation the Deployment's rollout began. */
  deployedSecondsAgo: number;
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
    deployedSecondsAgo: DEPLOYED_SECONDS_AGO,
  },
  stalled: {
    replicaConditions: lastReplicas('not-ready'),
    rolloutProgress: 'deadline-exceeded',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
    deployedSecondsAgo: DEPLOYED_SECONDS_AGO,
  },
  crashloop: {
    replicaConditions: lastReplicas('crash-loop'),
    rolloutProgress: 'in-progress',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
    deployedSecondsAgo: DEPLOYED_SECONDS_AGO,
  },
  imagepull: {
    replicaConditions: lastReplicas('err-image-pull', 'image-pull-back-off'),
    rolloutProgress: 'in-progress',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
    deployedSecondsAgo: DEPLOYED_SECONDS_AGO,
  },
  oomkilled: {
    replicaConditions: lastReplicas('restarted-after-oom'),
    rolloutProgress: 'complete',
    cpuUtilizationPercent: 42,
    scaledToMaximum: false,
    deployedSecondsAgo: DEPLOYED_SECONDS_AGO,
  },
  'hpa-max': {
    replicaConditions: lastReplicas(),
    rolloutProgress: 'complete',
    cpuUtilizationPercent: 135,
    scaledToMaximum: true,
    deployedSecondsAgo: DEPLOYED_SECONDS_AGO,
  },
  'first-rollout': {
    replicaConditions: replicas =>
      Array.from({ length: replicas }, () => 'container-creating'),
    rolloutProgress: 'in-progress',
    scaledToMaximum: false,
    deployedSecondsAgo: 90,
  },
};

export function behaviourOf(scenario: DeploymentScenario): ScenarioBehaviour {
  return BEHAVIOURS[scenario];
}
