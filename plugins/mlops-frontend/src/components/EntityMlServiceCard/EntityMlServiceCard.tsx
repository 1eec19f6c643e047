import { Entity } from '@backstage/catalog-model';
import {
  InfoCard,
  InfoCardVariants,
  Progress,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Divider from '@material-ui/core/Divider';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  EndpointHealthSummary,
  getInferenceProtocol,
  getModelName,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { useEntityHealth } from '../../hooks/useEntityHealth';
import {
  EntityRolloutProvider,
  useEnvironmentDeployment,
} from '../../hooks/useEntityRollout';
import { isMlServiceAvailable } from '../../isMlServiceAvailable';
import { DeploymentRollout } from '../../kubernetes/rollout';
import { Fact, Facts } from '../Facts';
import {
  environmentLabel,
  formatLatency,
  formatUptime,
  modelVersion,
  PLACEHOLDER,
} from '../format';
import { HealthError, HealthRefreshError } from '../HealthError';
import {
  EndpointDisplayState,
  endpointDisplayState,
  EnvironmentHealthChip,
  firstRolloutProgress,
} from '../HealthStatus';
import { MissingMlopsAnnotations } from '../MissingMlopsAnnotations';
import { RequireKubernetesPlugin } from '../RequireKubernetesPlugin';
import { RolloutOverview } from '../RolloutOverview';
import { EndpointLocation } from '../EndpointLocation';

const TITLE = 'ML service';

const useStyles = makeStyles(theme => ({
  endpoints: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    '& > li + li': {
      marginTop: theme.spacing(2),
    },
  },
}));

/**
 * Props of {@link EntityMlServiceCard}.
 *
 * @public
 */
export interface EntityMlServiceCardProps {
  /** The InfoCard variant; `gridItem` fills the height of its grid cell. */
  variant?: InfoCardVariants;
}

/** Compact health and rollout of the ML service in the entity context. */
export function EntityMlServiceCard(props: EntityMlServiceCardProps) {
  const { entity } = useEntity();
  if (!isMlServiceAvailable(entity)) {
    return (
      <InfoCard title={TITLE} variant={props.variant}>
        <MissingMlopsAnnotations entity={entity} compact />
      </InfoCard>
    );
  }
  return (
    <InfoCard
      title={TITLE}
      subheader={`Model ${getModelName(
        entity,
      )} · protocol ${getInferenceProtocol(entity).toUpperCase()}`}
      variant={props.variant}
    >
      <EntityRolloutProvider entity={entity}>
        <EndpointsSection entity={entity} />
        <Box my={2}>
          <Divider />
        </Box>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          Rollout
        </Typography>
        <RequireKubernetesPlugin entity={entity} compact>
          <RolloutOverview />
        </RequireKubernetesPlugin>
      </EntityRolloutProvider>
    </InfoCard>
  );
}

function EndpointsSection(props: { entity: Entity }) {
  const classes = useStyles();
  const { health, loading, error } = useEntityHealth(props.entity);
  if (loading) {
    return <Progress />;
  }
  if (!health) {
    return <HealthError error={error ?? new Error('No health data')} />;
  }
  return (
    <>
      {error && <HealthRefreshError error={error} />}
      <ul className={classes.endpoints} aria-label="Endpoints">
        {health.endpoints.map(endpoint => (
          <li key={endpoint.environment}>
            <EndpointSummary endpoint={endpoint} />
          </li>
        ))}
      </ul>
    </>
  );
}

function EndpointSummary(props: { endpoint: EndpointHealthSummary }) {
  const { endpoint } = props;
  const deployment = useEnvironmentDeployment(endpoint.environment);
  const state = endpointDisplayState(endpoint, deployment);
  const environment = environmentLabel(endpoint.environment);
  return (
    <>
      <Box mb={1}>
        <EnvironmentHealthChip environment={environment} state={state} />
      </Box>
      <Facts
        aria-label={`Endpoint ${environment}`}
        facts={endpointFacts(endpoint, state, deployment.rollout)}
      />
    </>
  );
}

/**
 * Without a Deployment there are no figures to show, only where it will be;
 * during the first rollout, how far it got.
 */
function endpointFacts(
  endpoint: EndpointHealthSummary,
  state: EndpointDisplayState,
  rollout: DeploymentRollout | undefined,
): Fact[] {
  const link: Fact = {
    label: 'Endpoint',
    value: <EndpointLocation url={endpoint.url} />,
  };
  if (state === 'not-deployed') {
    return [link];
  }
  if (state === 'rolling-out' && rollout) {
    const progress = firstRolloutProgress(rollout, endpoint.checkedAt);
    return [{ label: 'Rollout', value: progress }, link];
  }
  return [
    { label: 'Latency', value: formatLatency(endpoint.latencyMs) },
    { label: 'Uptime (24 h)', value: formatUptime(endpoint.uptime24h) },
    { label: 'Model version', value: modelVersion(endpoint) ?? PLACEHOLDER },
    link,
  ];
}
