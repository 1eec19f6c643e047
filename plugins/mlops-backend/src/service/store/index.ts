export type {
  HealthHistoryOptions,
  HealthHistoryPoint,
  HealthStore,
} from './HealthStore';
export { DatabaseHealthStore } from './DatabaseHealthStore';
