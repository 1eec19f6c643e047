import { ChangeEvent, ReactNode, useMemo, useState } from 'react';
import { parseEntityRef } from '@backstage/catalog-model';
import { Table, TableColumn } from '@backstage/core-components';
import {
  EntityRefLink,
  humanizeEntityRef,
} from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { FleetReplicas } from '../../hooks/useFleetReplicas';
import {
  environmentLabel,
  formatLatency,
  formatUptime,
  PLACEHOLDER,
} from '../format';
import { HealthStatus, healthLabel } from '../HealthStatus';
import {
  compareHealth,
  distinctValues,
  FleetFilters,
  FleetRow,
  filterFleetRows,
  NO_FILTERS,
} from './fleetRows';
import { EndpointLocation } from '../EndpointLocation';

const HEALTH_STATES = [
  'healthy',
  'degraded',
  'down',
  'unknown',
  'rolling-out',
  'not-deployed',
] as const;

/** Every endpoint of every ML service, with search and filters. */
export function FleetTable(props: {
  rows: FleetRow[];
  replicas: FleetReplicas;
}) {
  const [filters, setFilters] = useState<FleetFilters>(NO_FILTERS);
  const visible = useMemo(
    () => filterFleetRows(props.rows, filters),
    [props.rows, filters],
  );
  const columns = useMemo(() => fleetColumns(props.replicas), [props.replicas]);
  const update =
    (key: keyof FleetFilters) => (event: ChangeEvent<HTMLInputElement>) =>
      setFilters(current => ({ ...current, [key]: event.target.value }));

  return (
    <>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="flex-end"
        mb={2}
        style={{ gap: 16 }}
        role="search"
        aria-label="Filter ML services"
      >
        <TextField
          id="mlops-fleet-search"
          type="search"
          label="Search"
          value={filters.search}
          onChange={update('search')}
          inputProps={{ 'aria-label': 'Search ML services' }}
        />
        <FilterSelect
          id="mlops-fleet-environment"
          label="Environment"
          value={filters.environment}
          onChange={update('environment')}
          options={distinctValues(props.rows, row => row.environment).map(
            environment => ({
              value: environment,
              label: environmentLabel(environment),
            }),
          )}
        />
        <FilterSelect
          id="mlops-fleet-health"
          label="Health"
          value={filters.health}
          onChange={update('health')}
          options={HEALTH_STATES.map(state => ({
            value: state,
            label: healthLabel(state),
          }))}
        />
        <FilterSelect
          id="mlops-fleet-owner"
          label="Owner"
          value={filters.owner}
          onChange={update('owner')}
          options={distinctValues(props.rows, row => row.owner).map(owner => ({
            value: owner,
            label: ownerLabel(owner),
          }))}
        />
      </Box>
      {!props.replicas.available && (
        <Typography variant="body2" color="textSecondary" paragraph>
          Replica counts need the Kubernetes plugin, which this app does not
          have.
        </Typography>
      )}
      <Table<FleetRow>
        title={`ML services: ${visible.length} of ${props.rows.length} endpoints`}
        columns={columns}
        data={visible}
        options={{
          search: false,
          padding: 'dense',
          paging: visible.length > 20,
          pageSize: 20,
        }}
        emptyContent={
          <Box p={2}>
            <Typography variant="body2">
              No ML service matches these filters.
            </Typography>
          </Box>
        }
      />
    </>
  );
}

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
  options: Array<{ value: string; label: string }>;
}) {
  return (
    <TextField
      id={props.id}
      select
      label={props.label}
      value={props.value}
      onChange={props.onChange}
      SelectProps={{ native: true }}
      inputProps={{ 'aria-label': `Filter by ${props.label.toLowerCase()}` }}
      InputLabelProps={{ shrink: true }}
    >
      <option value="">All</option>
      {props.options.map(option => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </TextField>
  );
}

function ownerLabel(owner: string): string {
  try {
    return humanizeEntityRef(parseEntityRef(owner), { defaultKind: 'group' });
  } catch {
    return owner;
  }
}

function fleetColumns(replicas: FleetReplicas): TableColumn<FleetRow>[] {
  return [
    {
      title: 'Service',
      field: 'entityRef',
      highlight: true,
      render: row => (
        <EntityRefLink entityRef={row.entityRef}>{row.title}</EntityRefLink>
      ),
    },
    {
      title: 'Owner',
      field: 'owner',
      render: row =>
        row.owner ? (
          <EntityRefLink entityRef={row.owner} defaultKind="group" />
        ) : (
          PLACEHOLDER
        ),
    },
    {
      title: 'Environment',
      field: 'environment',
      render: row => (
        <EndpointLocation url={row.url}>
          {environmentLabel(row.environment)}
        </EndpointLocation>
      ),
    },
    {
      title: 'Health',
      field: 'state',
      customSort: compareHealth,
      render: row => <HealthStatus state={row.state} />,
    },
    {
      title: 'Uptime (24 h)',
      field: 'uptime24h',
      type: 'numeric',
      render: row => figureOf(row, formatUptime(row.uptime24h)),
    },
    {
      title: 'p95 latency',
      field: 'p95LatencyMs',
      type: 'numeric',
      render: row => figureOf(row, formatLatency(row.p95LatencyMs)),
    },
    {
      title: 'Replicas (ready/desired)',
      sorting: false,
      render: row => replicaCell(replicas, row.entityRef),
    },
  ];
}

/** An endpoint that has not been deployed or rolled out yet has no figures to show, as on its page. */
function figureOf(row: FleetRow, figure: string): string {
  return row.state === 'not-deployed' || row.state === 'rolling-out'
    ? PLACEHOLDER
    : figure;
}

function replicaCell(replicas: FleetReplicas, entityRef: string): ReactNode {
  const count = replicas.byEntityRef.get(entityRef);
  if (count) {
    return `${count.ready}/${count.desired}`;
  }
  return replicas.loading ? '…' : PLACEHOLDER;
}
