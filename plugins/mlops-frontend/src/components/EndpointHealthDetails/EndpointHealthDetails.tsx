import { InfoCard, TrendLine } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  EndpointHealthDetail,
  HealthHistoryPoint,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { useEnvironmentDeployment } from '../../hooks/useEntityRollout';
import { DeploymentRollout } from '../../kubernetes/rollout';
import { Fact, Facts } from '../Facts';
import {
  environmentLabel,
  formatCheckedAt,
  formatLatency,
  formatUptime,
  modelVersion,
  PLACEHOLDER,
} from '../format';
import {
  EndpointDisplayState,
  endpointDisplayState,
  firstRolloutProgress,
  HealthStatus,
} from '../HealthStatus';
import { EndpointLocation } from '../EndpointLocation';

/** One card per environment: probe result, 24-hour figures and sparklines. */
export function EndpointHealthDetails(props: {
  endpoints: EndpointHealthDetail[];
}) {
  return (
    <Grid container spacing={3}>
      {props.endpoints.map(endpoint => (
        <Grid
          item
          xs={12}
          md={6}
          key={endpoint.environment}
          component="section"
          aria-label={`Endpoint ${environmentLabel(endpoint.environment)}`}
        >
          <EndpointCard endpoint={endpoint} />
        </Grid>
      ))}
    </Grid>
  );
}

function EndpointCard(props: { endpoint: EndpointHealthDetail }) {
  const { endpoint } = props;
  const deployment = useEnvironmentDeployment(endpoint.environment);
  const state = endpointDisplayState(endpoint, deployment);
  return (
    <InfoCard
      title={`Endpoint: ${environmentLabel(endpoint.environment)}`}
      subheader={<HealthStatus state={state} />}
    >
      <EndpointCardContent
        endpoint={endpoint}
        state={state}
        whereNotDeployed={deployment.whereNotDeployed}
        rollout={deployment.rollout}
      />
    </InfoCard>
  );
}

function EndpointCardContent(props: {
  endpoint: EndpointHealthDetail;
  state: EndpointDisplayState;
  whereNotDeployed?: string;
  rollout?: DeploymentRollout;
}) {
  const { endpoint, state, rollout } = props;
  if (state === 'not-deployed') {
    return (
      <EndpointNotAnswering
        endpoint={endpoint}
        why={`${notDeployedReason(
          endpoint,
          props.whereNotDeployed,
        )} Health and history appear once the deploy workflow has run.`}
      />
    );
  }
  if (state === 'rolling-out' && rollout) {
    return (
      <EndpointNotAnswering
        endpoint={endpoint}
        why={rollingOutReason(endpoint, rollout)}
      />
    );
  }
  return (
    <>
      <Facts facts={endpointFacts(endpoint)} />
      <HealthHistory history={endpoint.history} />
    </>
  );
}

/** What shows the environment is not deployed: the Kubernetes plugin's view, else the prober's finding. */
function notDeployedReason(
  endpoint: EndpointHealthDetail,
  whereNotDeployed: string | undefined,
): string {
  if (whereNotDeployed !== undefined) {
    return `No Deployment of this service exists ${whereNotDeployed} yet, so the endpoint cannot answer.`;
  }
  return `The prober found it ${endpoint.errorMessage ?? 'not deployed yet'}.`;
}

/** How far the first rollout got, and what the probe found meanwhile. */
function rollingOutReason(
  endpoint: EndpointHealthDetail,
  rollout: DeploymentRollout,
): string {
  const probe = endpoint.errorMessage
    ? ` The last probe: ${endpoint.errorMessage}.`
    : '';
  return (
    `Deployment ${rollout.name} in cluster ${rollout.cluster} is rolling out ` +
    `(${firstRolloutProgress(rollout, endpoint.checkedAt)}) ` +
    `and the endpoint has not answered in the last 24 hours.${probe} Health and history appear once it answers. ` +
    'Should a pod fail to start, the endpoint shows Down and the rollout shows the problem.'
  );
}

function EndpointNotAnswering(props: {
  endpoint: EndpointHealthDetail;
  why: string;
}) {
  return (
    <>
      <Facts
        facts={[
          {
            label: 'URL',
            value: <EndpointLocation url={props.endpoint.url} />,
          },
        ]}
      />
      <Box mt={2}>
        <Typography variant="body2" color="textSecondary">
          {props.why}
        </Typography>
      </Box>
    </>
  );
}

function yesNo(value?: boolean): string {
  if (value === undefined) {
    return PLACEHOLDER;
  }
  return value ? 'yes' : 'no';
}

function endpointFacts(endpoint: EndpointHealthDetail): Fact[] {
  const facts: Fact[] = [
    {
      label: 'URL',
      value: <EndpointLocation url={endpoint.url} />,
    },
    {
      label: 'Live / ready / model ready',
      value: [endpoint.live, endpoint.ready, endpoint.modelReady]
        .map(yesNo)
        .join(' / '),
    },
    { label: 'Latency', value: formatLatency(endpoint.latencyMs) },
    {
      label: 'p50 / p95 (24 h)',
      value: `${formatLatency(endpoint.p50LatencyMs)} / ${formatLatency(
        endpoint.p95LatencyMs,
      )}`,
    },
    { label: 'Uptime (24 h)', value: formatUptime(endpoint.uptime24h) },
    { label: 'Model version', value: modelVersion(endpoint) ?? PLACEHOLDER },
    { label: 'Last probe', value: formatCheckedAt(endpoint.checkedAt) },
  ];
  if (endpoint.errorClass || endpoint.errorMessage) {
    facts.push({
      label: 'Problem',
      value: [endpoint.errorClass, endpoint.errorMessage]
        .filter(Boolean)
        .join(': '),
    });
  }
  return facts;
}

function HealthHistory(props: { history: HealthHistoryPoint[] }) {
  const theme = useTheme();
  if (props.history.length < 2) {
    return (
      <Box mt={2}>
        <Typography variant="body2" color="textSecondary">
          Not enough probes yet for a 24-hour history.
        </Typography>
      </Box>
    );
  }
  const latencies = props.history
    .map(point => point.latencyMs)
    .filter((latency): latency is number => latency !== undefined);
  const uptimes = props.history.map(point => point.uptime);
  const slowest = Math.max(...latencies);
  return (
    <Box mt={2} display="flex" flexWrap="wrap" style={{ gap: 16 }}>
      {latencies.length >= 2 && (
        <Sparkline
          label="Latency, last 24 hours"
          description={`Latency over the last 24 hours: ${formatLatency(
            Math.min(...latencies),
          )} to ${formatLatency(slowest)}`}
          data={latencies}
          max={slowest}
          color={theme.palette.primary.main}
        />
      )}
      <Sparkline
        label="Uptime, last 24 hours"
        description={`Uptime over the last 24 hours: lowest ${formatUptime(
          Math.min(...uptimes),
        )}`}
        data={uptimes}
        max={1}
      />
    </Box>
  );
}

/** A labelled sparkline; its SVG title carries the figures for screen readers. */
function Sparkline(props: {
  label: string;
  description: string;
  data: number[];
  max: number;
  color?: string;
}) {
  return (
    <Box width={160}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <TrendLine
        data={props.data}
        min={0}
        max={props.max}
        color={props.color}
        title={props.description}
      />
    </Box>
  );
}
