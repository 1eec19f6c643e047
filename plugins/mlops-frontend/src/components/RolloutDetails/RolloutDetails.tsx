import {
  Progress,
  StatusOK,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEntityRollout } from '../../hooks/useEntityRollout';
import { DetectedError } from '@backstage/plugin-kubernetes-common';
import {
  AutoscalerStatus,
  ClusterProblem,
  DeploymentRollout,
  problemLabel,
  RolloutSummary,
  whereNotFound,
} from '../../kubernetes/rollout';
import { Fact, Facts } from '../Facts';
import { PLACEHOLDER } from '../format';
import { NOT_DEPLOYED_YET } from '../HealthStatus';
import { RolloutStatus } from '../RolloutStatus';
import { domIdOf } from './domId';

/**
 * Deployments, pods and autoscaling of an entity, for the tab. Only below
 * `EntityRolloutProvider`.
 */
export function RolloutDetails() {
  const rollout = useEntityRollout();
  if (rollout.status === 'unavailable') {
    return null;
  }
  if (rollout.status === 'loading') {
    return <Progress />;
  }
  if (rollout.status === 'error') {
    return (
      <WarningPanel
        severity="error"
        title="Could not read the rollout from Kubernetes"
        message={rollout.error}
      />
    );
  }
  const { summary } = rollout;
  return (
    <>
      <ClusterProblems problems={summary.clusterProblems} />
      <Deployments summary={summary} />
      <IgnoredClusters summary={summary} />
    </>
  );
}

function Deployments(props: { summary: RolloutSummary }) {
  const { summary } = props;
  if (summary.deployments.length > 0) {
    return (
      <>
        {summary.deployments.map(deployment => (
          <DeploymentDetails
            key={`${deployment.cluster}/${deployment.namespace}/${deployment.name}`}
            deployment={deployment}
          />
        ))}
      </>
    );
  }
  if (summary.clusterProblems.length > 0) {
    // Not "not deployed yet": a cluster that counts could not say.
    return (
      <Typography variant="body2" color="textSecondary">
        No Deployment of this entity found in the clusters that could be read.
      </Typography>
    );
  }
  return (
    <Typography variant="body2" color="textSecondary">
      <strong>{NOT_DEPLOYED_YET}.</strong> No Deployment of this entity exists{' '}
      {whereNotFound(summary)}; it appears here once the deploy workflow has
      run. If the service is deployed, check that its workloads carry the label
      of the entity's Kubernetes annotation.
    </Typography>
  );
}

function ClusterProblems(props: { problems: ClusterProblem[] }) {
  if (props.problems.length === 0) {
    return null;
  }
  return (
    <Box mb={2}>
      <WarningPanel
        title="Some clusters could not be read"
        message={props.problems
          .map(problem => `${problem.cluster}: ${problem.message}`)
          .join('; ')}
      />
    </Box>
  );
}

/** How many ignored clusters the note names before it only counts them. */
const NAMED_IGNORED_CLUSTERS = 3;

/**
 * A quiet note, not a warning: the Kubernetes plugin (with the `multiTenant`
 * service locator) asked other services' clusters too, and their refusals
 * are expected. It says which clusters counted, so a platform engineer can
 * tell why this view differs from the Kubernetes tab.
 */
function IgnoredClusters(props: { summary: RolloutSummary }) {
  const { ownClusters, ignoredClusters } = props.summary;
  if (!ownClusters || ignoredClusters.length === 0) {
    return null;
  }
  const named = ignoredClusters.slice(0, NAMED_IGNORED_CLUSTERS).join(', ');
  const more = ignoredClusters.length - NAMED_IGNORED_CLUSTERS;
  const others =
    ignoredClusters.length === 1
      ? `1 other cluster (${named}) holds`
      : `${ignoredClusters.length} other clusters (${named}${
          more > 0 ? ` and ${more} more` : ''
        }) hold`;
  return (
    <Box mt={2}>
      <Typography variant="caption" color="textSecondary" component="p">
        Only this entity's clusters count here: {ownClusters.join(', ')}.{' '}
        {others} nothing of it and could not be read; as the entity does not
        name them, they are left out.
      </Typography>
    </Box>
  );
}

function DeploymentDetails(props: { deployment: DeploymentRollout }) {
  const { deployment } = props;
  const headingId = domIdOf(
    'rollout',
    deployment.cluster,
    deployment.namespace,
    deployment.name,
  );
  return (
    <Box component="section" aria-labelledby={headingId} mb={3}>
      <Typography variant="h6" component="h3" id={headingId}>
        Deployment {deployment.name}
      </Typography>
      <Typography variant="body2" color="textSecondary" paragraph>
        namespace {deployment.namespace} · cluster {deployment.cluster}
      </Typography>
      <Facts facts={deploymentFacts(deployment)} />
      {deployment.autoscaler && (
        <AutoscalerDetails autoscaler={deployment.autoscaler} />
      )}
      <Problems problems={deployment.problems} />
    </Box>
  );
}

function deploymentFacts(deployment: DeploymentRollout): Fact[] {
  return [
    {
      label: 'Rollout',
      value: (
        <>
          <RolloutStatus state={deployment.state} />
          {deployment.stateMessage ? ` — ${deployment.stateMessage}` : ''}
        </>
      ),
    },
    {
      label: 'Replicas',
      value: `${deployment.readyReplicas}/${deployment.desiredReplicas} ready · ${deployment.updatedReplicas} updated · ${deployment.availableReplicas} available`,
    },
    { label: 'Image', value: deployment.image?.repository ?? PLACEHOLDER },
    { label: 'Image tag', value: deployment.image?.tag ?? PLACEHOLDER },
    {
      label: 'Image digest',
      value: deployment.image?.digest ? (
        <code>{deployment.image.digest}</code>
      ) : (
        'not pulled yet'
      ),
    },
    { label: 'Pod restarts', value: String(deployment.restarts) },
  ];
}

function AutoscalerDetails(props: { autoscaler: AutoscalerStatus }) {
  const { autoscaler } = props;
  const cpu =
    autoscaler.cpuTargetPercent === undefined
      ? 'no CPU target'
      : `${autoscaler.cpuCurrentPercent ?? PLACEHOLDER}% of a ${
          autoscaler.cpuTargetPercent
        }% target`;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h4">
        Autoscaler {autoscaler.name}
      </Typography>
      <Facts
        facts={[
          {
            label: 'Replicas',
            value: `${autoscaler.currentReplicas} current · ${autoscaler.desiredReplicas} desired · min ${autoscaler.minReplicas} · max ${autoscaler.maxReplicas}`,
          },
          { label: 'CPU', value: cpu },
          {
            label: 'Headroom',
            value: autoscaler.atMaximum ? (
              <StatusWarning>
                At its maximum of {autoscaler.maxReplicas} replicas: it cannot
                scale out further
              </StatusWarning>
            ) : (
              <StatusOK>
                Can add {autoscaler.maxReplicas - autoscaler.currentReplicas}{' '}
                more replicas
              </StatusOK>
            ),
          },
        ]}
      />
    </Box>
  );
}

function Problems(props: { problems: DetectedError[] }) {
  if (props.problems.length === 0) {
    return null;
  }
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h4">
        Problems
      </Typography>
      <Table size="small" aria-label="Problems">
        <TableHead>
          <TableRow>
            <TableCell>Problem</TableCell>
            <TableCell>Object</TableCell>
            <TableCell>Detail</TableCell>
            <TableCell>What to do</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.problems.map(problem => (
            <TableRow
              key={`${problem.sourceRef.kind}/${problem.sourceRef.name}/${problem.type}/${problem.message}`}
            >
              <TableCell>{problemLabel(problem)}</TableCell>
              <TableCell>
                {problem.sourceRef.kind} {problem.sourceRef.name}
              </TableCell>
              <TableCell>{problem.message}</TableCell>
              <TableCell>
                {problem.proposedFix?.actions.join(' ') ?? PLACEHOLDER}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
