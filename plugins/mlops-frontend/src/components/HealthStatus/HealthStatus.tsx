import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import { EndpointHealthState } from '@eks-mlops/backstage-plugin-mlops-common';

const LABELS: Record<EndpointHealthState, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Unknown',
};

export function healthLabel(state: EndpointHealthState): string {
  return LABELS[state] ?? LABELS.unknown;
}

/** The state of an endpoint as a coloured status with its name. */
export function HealthStatus(props: { state: EndpointHealthState }) {
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
  state: EndpointHealthState;
}) {
  return (
    <Chip
      size="small"
      variant="outlined"
      aria-label={`${props.environment}: ${healthLabel(props.state)}`}
      label={
        <>
          <strong>{props.environment}</strong>{' '}
          <HealthStatus state={props.state} />
        </>
      }
    />
  );
}
