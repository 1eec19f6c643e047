export type {
  HealthHistoryOptions,
  HealthHistoryPoint,
  HealthStore,
  WindowStats,
} from './HealthStore';
export { withWindowStats } from './HealthStore';
export { DatabaseHealthStore } from './DatabaseHealthStore';
