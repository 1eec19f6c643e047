import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import {
  EndpointHealth,
  EndpointHealthState,
  hasAnswered,
} from '@eks-mlops/backstage-plugin-mlops-common';

export const NOT_DEPLOYED_YET = 'Not deployed yet';

/**
 * What an endpoint shows: its probed health, or `not-deployed` while its
 * environment has no Deployment (as the Kubernetes plugin shows) or no
 * deploy yet (as the prober found in the service's deploy records), so an
 * endpoint that cannot answer yet does not read as down.
 */
export type EndpointDisplayState = EndpointHealthState | 'not-deployed';

const LABELS: Record<EndpointDisplayState, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Unknown',
  'not-deployed': NOT_DEPLOYED_YET,
};

export function healthLabel(state: EndpointDisplayState): string {
  return LABELS[state] ?? LABELS.unknown;
}

/**
 * An endpoint that answers keeps its health even without a Deployment; one
 * the prober found not deployed yet (`not-deployed`) never answered.
 */
export function endpointDisplayState(
  endpoint: Pick<EndpointHealth, 'state' | 'errorClass'>,
  noDeploymentSeen: boolean,
): EndpointDisplayState {
  if (endpoint.errorClass === 'not-deployed') return 'not-deployed';
  return noDeploymentSeen && !hasAnswered(endpoint.state)
    ? 'not-deployed'
    : endpoint.state;
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
