import { FleetEntry } from '@eks-mlops/backstage-plugin-mlops-common';
import { environmentLabel } from '../format';
import {
  DEPLOYMENT_NOT_SEEN,
  EnvironmentDeployment,
} from '../../kubernetes/environmentDeployment';
import { EndpointDisplayState, endpointDisplayState } from '../HealthStatus';

/** One endpoint of one ML service. */
export interface FleetRow {
  id: string;
  entityRef: string;
  title?: string;
  owner?: string;
  environment: string;
  url: string;
  /** The probed health, or `not-deployed` / `rolling-out` as the service's page says it. */
  state: EndpointDisplayState;
  uptime24h?: number;
  p95LatencyMs?: number;
}

export interface FleetFilters {
  search: string;
  environment: string;
  health: string;
  owner: string;
}

export const NO_FILTERS: FleetFilters = {
  search: '',
  environment: '',
  health: '',
  owner: '',
};

/**
 * One row per endpoint; `deploymentOf` tells what the Kubernetes plugin
 * shows of each environment's Deployment (see `useFleetReplicas`).
 */
export function fleetRows(
  items: FleetEntry[],
  deploymentOf: (
    entityRef: string,
    environment: string,
  ) => EnvironmentDeployment = () => DEPLOYMENT_NOT_SEEN,
): FleetRow[] {
  return items.flatMap(item =>
    item.endpoints.map(endpoint => ({
      id: `${item.entityRef}#${endpoint.environment}`,
      entityRef: item.entityRef,
      title: item.title,
      owner: item.owner,
      environment: endpoint.environment,
      url: endpoint.url,
      state: endpointDisplayState(
        endpoint,
        deploymentOf(item.entityRef, endpoint.environment),
      ),
      uptime24h: endpoint.uptime24h,
      p95LatencyMs: endpoint.p95LatencyMs,
    })),
  );
}

export function filterFleetRows(
  rows: FleetRow[],
  filters: FleetFilters,
): FleetRow[] {
  const search = filters.search.trim().toLocaleLowerCase('en-US');
  return rows.filter(
    row =>
      (!filters.environment || row.environment === filters.environment) &&
      (!filters.health || row.state === filters.health) &&
      (!filters.owner || row.owner === filters.owner) &&
      (!search || searchableText(row).includes(search)),
  );
}

function searchableText(row: FleetRow): string {
  const environment = environmentLabel(row.environment);
  return [row.entityRef, row.title, row.owner, environment, row.url]
    .filter(Boolean)
    .join(' ')
    .toLocaleLowerCase('en-US');
}

export function distinctValues(
  rows: FleetRow[],
  pick: (row: FleetRow) => string | undefined,
): string[] {
  const values = rows
    .map(pick)
    .filter((value): value is string => Boolean(value));
  return [...new Set(values)].sort();
}

/** Worst first, so sorting by health brings problems to the top. */
const SEVERITY: Record<EndpointDisplayState, number> = {
  down: 0,
  degraded: 1,
  unknown: 2,
  'rolling-out': 3,
  'not-deployed': 4,
  healthy: 5,
};

export function compareHealth(a: FleetRow, b: FleetRow): number {
  return SEVERITY[a.state] - SEVERITY[b.state];
}
