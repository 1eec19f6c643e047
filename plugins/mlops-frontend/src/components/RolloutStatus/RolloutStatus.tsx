import {
  StatusError,
  StatusOK,
  StatusRunning,
} from '@backstage/core-components';
import { RolloutState } from '../../kubernetes/rollout';

const LABELS: Record<RolloutState, string> = {
  complete: 'Rollout complete',
  progressing: 'Rolling out',
  stalled: 'Rollout stalled',
};

export function RolloutStatus(props: { state: RolloutState }) {
  const label = LABELS[props.state];
  switch (props.state) {
    case 'complete':
      return <StatusOK>{label}</StatusOK>;
    case 'stalled':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusRunning>{label}</StatusRunning>;
  }
}
