export { FleetTable } from './FleetTable';
export { fleetRows } from './fleetRows';
export type { FleetRow } from './fleetRows';
