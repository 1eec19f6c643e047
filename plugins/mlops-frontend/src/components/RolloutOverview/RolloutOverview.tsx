import { Progress } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { useEntityRollout } from '../../hooks/useEntityRollout';
import {
  DeploymentRollout,
  problemLabel,
  unreadClusters,
  whereNotFound,
} from '../../kubernetes/rollout';
import { Facts } from '../Facts';
import { NOT_DEPLOYED_YET } from '../HealthStatus';
import { RolloutStatus } from '../RolloutStatus';

/**
 * One line per Deployment: replicas and rollout state, for the card. Only
 * below `EntityRolloutProvider`.
 */
export function RolloutOverview() {
  const rollout = useEntityRollout();
  if (rollout.status === 'unavailable') {
    return null;
  }
  if (rollout.status === 'loading') {
    return <Progress aria-label="Loading rollout" />;
  }
  if (rollout.status === 'error') {
    return (
      <Typography variant="body2" color="error" role="alert">
        Could not read the rollout from Kubernetes: {rollout.error}
      </Typography>
    );
  }
  const { deployments } = rollout.summary;
  const unread = unreadClusters(rollout.summary);
  if (deployments.length === 0 && unread.length > 0) {
    // Not "not deployed yet": a cluster that counts could not say.
    return (
      <Typography variant="body2" color="textSecondary">
        No Deployment found, but {unread.join(', ')} could not be read.
      </Typography>
    );
  }
  if (deployments.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        <strong>{NOT_DEPLOYED_YET}.</strong> No Deployment of this entity exists{' '}
        {whereNotFound(rollout.summary)}.
      </Typography>
    );
  }
  return (
    <>
      {deployments.map(deployment => (
        <DeploymentLine
          key={`${deployment.cluster}/${deployment.namespace}/${deployment.name}`}
          deployment={deployment}
        />
      ))}
    </>
  );
}

function DeploymentLine(props: { deployment: DeploymentRollout }) {
  const { deployment } = props;
  const problems = [...new Set(deployment.problems.map(problemLabel))];
  return (
    <Facts
      aria-label={`Deployment ${deployment.name} on ${deployment.cluster}`}
      facts={[
        {
          label: 'Replicas',
          value: `${deployment.readyReplicas}/${deployment.desiredReplicas} ready`,
        },
        { label: 'Rollout', value: <RolloutStatus state={deployment.state} /> },
        ...(problems.length
          ? [{ label: 'Problems', value: problems.join(', ') }]
          : []),
        ...(deployment.autoscaler?.atMaximum
          ? [
              {
                label: 'Autoscaler',
                value: `at its maximum of ${deployment.autoscaler.maxReplicas} replicas`,
              },
            ]
          : []),
      ]}
    />
  );
}
