import { Entity } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { useEntityRollout } from '../../hooks/useEntityRollout';
import { DeploymentRollout } from '../../kubernetes/rollout';
import { Facts } from '../Facts';
import { RolloutStatus } from '../RolloutStatus';

/** One line per Deployment: replicas and rollout state, for the card. */
export function RolloutOverview(props: { entity: Entity }) {
  const { summary, loading, error } = useEntityRollout(props.entity);
  if (loading) {
    return <Progress aria-label="Loading rollout" />;
  }
  if (error || !summary) {
    return (
      <Typography variant="body2" color="error" role="alert">
        Could not read the rollout from Kubernetes: {error ?? 'no answer'}
      </Typography>
    );
  }
  if (summary.deployments.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No Deployment of this entity was found in any cluster.
      </Typography>
    );
  }
  return (
    <>
      {summary.deployments.map(deployment => (
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
  const reasons = [...new Set(deployment.problems.map(p => p.reason))];
  return (
    <Facts
      aria-label={`Deployment ${deployment.name} on ${deployment.cluster}`}
      facts={[
        {
          label: 'Replicas',
          value: `${deployment.readyReplicas}/${deployment.desiredReplicas} ready`,
        },
        { label: 'Rollout', value: <RolloutStatus state={deployment.state} /> },
        ...(reasons.length
          ? [{ label: 'Pod errors', value: reasons.join(', ') }]
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
