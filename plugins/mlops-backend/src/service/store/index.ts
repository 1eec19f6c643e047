export type {
  EntityEndpointHealth,
  HealthHistoryOptions,
  HealthHistoryPoint,
  HealthStore,
  ProbeRecord,
} from './HealthStore';
export { DatabaseHealthStore } from './DatabaseHealthStore';
