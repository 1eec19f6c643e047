import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import {
  EndpointHealthState,
  EndpointHealthSummary,
  hasAnswered,
} from '@eks-mlops/backstage-plugin-mlops-common';
import {
  EnvironmentDeployment,
  firstRolloutStage,
} from '../../kubernetes/environmentDeployment';
import { DeploymentRollout } from '../../kubernetes/rollout';
import { formatCheckedAt } from '../format';

export const NOT_DEPLOYED_YET = 'Not deployed yet';

/**
 * What an endpoint shows: its probed health, `not-deployed` while its
 * environment has no Deployment (as the Kubernetes plugin shows) or no
 * deploy yet (as the prober found in the service's deploy records), or
 * `rolling-out` while its first rollout has not made a replica available
 * yet, so an endpoint that cannot answer yet does not read as down.
 */
export type EndpointDisplayState =
  | EndpointHealthState
  | 'not-deployed'
  | 'rolling-out';

const LABELS: Record<EndpointDisplayState, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Unknown',
  'not-deployed': NOT_DEPLOYED_YET,
  'rolling-out': 'Rolling out',
};

export function healthLabel(state: EndpointDisplayState): string {
  return LABELS[state] ?? LABELS.unknown;
}

/**
 * An endpoint that answers keeps its health whatever its Deployment shows;
 * one the prober found not deployed yet (`not-deployed`) never answered. A
 * rollout stands for the health of an endpoint that has not answered only
 * while it explains why (`firstRolloutStage`: no replica available yet, or
 * one ready since the last probe) and the endpoint had no healthy probe in
 * the last 24 hours: its first rollout. An endpoint that answered and
 * stopped is down, whatever rolls out meanwhile.
 */
export function endpointDisplayState(
  endpoint: Pick<
    EndpointHealthSummary,
    'state' | 'errorClass' | 'uptime24h' | 'checkedAt'
  >,
  deployment: EnvironmentDeployment,
): EndpointDisplayState {
  if (endpoint.errorClass === 'not-deployed') return 'not-deployed';
  if (hasAnswered(endpoint.state)) return endpoint.state;
  if (deployment.whereNotDeployed !== undefined) return 'not-deployed';
  const { rollout } = deployment;
  return rollout &&
    !endpoint.uptime24h &&
    firstRolloutStage(rollout, endpoint.checkedAt)
    ? 'rolling-out'
    : endpoint.state;
}

/** How far the first rollout of a `rolling-out` endpoint got, in a few words. */
export function firstRolloutProgress(
  rollout: DeploymentRollout,
  lastProbeAt: string,
): string {
  if (
    firstRolloutStage(rollout, lastProbeAt) === 'ready-after-probe' &&
    rollout.readySince
  ) {
    return `a replica ready since ${formatCheckedAt(
      rollout.readySince.toISOString(),
    )}, after the last probe`;
  }
  return rollout.stateMessage ?? 'progressing';
}

/** The state of an endpoint as a coloured status with its name. */
export function HealthStatus(props: { state: EndpointDisplayState }) {
  const label = healthLabel(props.state);
  switch (props.state) {
    case 'healthy':
      return <StatusOK>{label}</StatusOK>;
    case 'degraded':
      return <StatusWarning>{label}</StatusWarning>;
    case 'down':
      return <StatusError>{label}</StatusError>;
    case 'rolling-out':
      return <StatusRunning>{label}</StatusRunning>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}

/** A compact chip naming the environment and its health. */
export function EnvironmentHealthChip(props: {
  environment: string;
  state: EndpointDisplayState;
}) {
  return (
    <Chip
      size="small"
      variant="outlined"
      aria-label={`${props.environment}: ${healthLabel(props.state)}`}
      label={
        // The status is a block-level flex box: keep it on the name's line.
        <Box
          component="span"
          display="inline-flex"
          alignItems="baseline"
          style={{ gap: 6 }}
        >
          <strong>{props.environment}</strong>{' '}
          <HealthStatus state={props.state} />
        </Box>
      }
    />
  );
}
