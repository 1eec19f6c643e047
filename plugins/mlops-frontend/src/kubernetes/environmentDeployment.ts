import { environmentRollout, whereNotDeployed } from './environmentPlacements';
import { EntityRolloutReading } from './readRollout';
import { DeploymentRollout } from './rollout';

/** What the Kubernetes plugin shows of an endpoint's environment. */
export interface EnvironmentDeployment {
  /**
   * Where its Deployment was looked for and not found, when it is known not
   * to be deployed yet (`whereNotDeployed`).
   */
  whereNotDeployed?: string;
  /** Its Deployment, when it shows no problem (`environmentRollout`). */
  rollout?: DeploymentRollout;
}

/** Nothing known of the environment's Deployment: the endpoint shows its health. */
export const DEPLOYMENT_NOT_SEEN: EnvironmentDeployment = {};

/** What the entity's rollout, as the entity page and the fleet page read it, shows of one environment. */
export function environmentDeployment(
  { summary, placements }: EntityRolloutReading,
  environment: string,
): EnvironmentDeployment {
  return {
    whereNotDeployed: whereNotDeployed(summary, placements, environment),
    rollout: environmentRollout(summary, placements, environment),
  };
}

/**
 * Where the rollout of an endpoint that has not answered yet stands:
 * `progressing` while no replica is available, `ready-after-probe` once a
 * replica became ready after the endpoint's last probe (the next probe
 * tells whether it answers).
 */
export type FirstRolloutStage = 'progressing' | 'ready-after-probe';

/**
 * The stage of `rollout` for an endpoint last probed at `lastProbeAt` (ISO
 * 8601); undefined when the rollout does not explain why it has not
 * answered: stalled, or ready since before the last probe.
 */
export function firstRolloutStage(
  rollout: DeploymentRollout,
  lastProbeAt: string,
): FirstRolloutStage | undefined {
  if (rollout.availableReplicas === 0) {
    return rollout.state === 'progressing' ? 'progressing' : undefined;
  }
  return rollout.readySince &&
    rollout.readySince.getTime() > Date.parse(lastProbeAt)
    ? 'ready-after-probe'
    : undefined;
}
