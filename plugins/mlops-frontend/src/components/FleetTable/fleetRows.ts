import {
  EndpointHealthState,
  FleetEntry,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { environmentLabel } from '../format';

/** One endpoint of one ML service. */
export interface FleetRow {
  id: string;
  entityRef: string;
  title?: string;
  owner?: string;
  environment: string;
  url: string;
  state: EndpointHealthState;
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

export function fleetRows(items: FleetEntry[]): FleetRow[] {
  return items.flatMap(item =>
    item.endpoints.map(endpoint => ({
      id: `${item.entityRef}#${endpoint.environment}`,
      entityRef: item.entityRef,
      title: item.title,
      owner: item.owner,
      environment: endpoint.environment,
      url: endpoint.url,
      state: endpoint.state,
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
const SEVERITY: Record<EndpointHealthState, number> = {
  down: 0,
  degraded: 1,
  unknown: 2,
  healthy: 3,
};

export function compareHealth(a: FleetRow, b: FleetRow): number {
  return SEVERITY[a.state] - SEVERITY[b.state];
}
