import { DetectedError } from '@backstage/plugin-kubernetes-common';
import { detectedError } from './detectedError';
import { Deployment } from './types';

/**
 * Deployment problems that `detectErrors` of
 * `@backstage/plugin-kubernetes-common` does not report, as it reports the
 * conditions whose status is False only: `ReplicaFailure` is True while the
 * Deployment's pods cannot be created at all, for instance over a resource
 * quota or refused by an admission webhook. Such a rollout shows as
 * progressing until its deadline, with no pod to show a problem.
 */
export function detectDeploymentErrorsUpstreamLacks(
  deployments: Deployment[],
): DetectedError[] {
  return deployments.flatMap(deployment =>
    (deployment.status?.conditions ?? [])
      .filter(
        condition =>
          condition.type === 'ReplicaFailure' && condition.status === 'True',
      )
      .map(condition =>
        detectedError({ kind: 'Deployment', apiGroup: 'apps/v1' }, deployment, {
          type: 'deployment-replica-failure',
          message:
            condition.message ?? 'The pods of the Deployment cannot be created',
          severity: 6,
        }),
      ),
  );
}

/**
 * Whether a problem upstream reports for the Deployment is only the course
 * of a rollout under way: `detectErrors` reports every condition whose status
 * is False, so also `Available=False` while the rollout brings its replicas
 * up, which every first rollout starts with and `kubectl rollout status`
 * waits out. A stalled rollout (`Progressing=False`) and a finished one that
 * lost replicas (`NewReplicaSetAvailable`) keep it as a problem.
 */
export function isCourseOfRollout(
  problem: DetectedError,
  deployment: Deployment,
): boolean {
  const conditions = deployment.status?.conditions ?? [];
  const progressing = conditions.find(c => c.type === 'Progressing');
  const available = conditions.find(c => c.type === 'Available');
  return (
    problem.type === 'condition-message-present' &&
    progressing?.status === 'True' &&
    progressing.reason !== 'NewReplicaSetAvailable' &&
    available?.status === 'False' &&
    problem.message === available.message
  );
}
