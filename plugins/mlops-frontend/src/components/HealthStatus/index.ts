export {
  EnvironmentHealthChip,
  HealthStatus,
  healthLabel,
} from './HealthStatus';
