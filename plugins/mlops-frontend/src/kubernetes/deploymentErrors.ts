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
