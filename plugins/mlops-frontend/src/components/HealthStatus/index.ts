export {
  endpointDisplayState,
  EnvironmentHealthChip,
  firstRolloutProgress,
  HealthStatus,
  healthLabel,
  NOT_DEPLOYED_YET,
} from './HealthStatus';
export type { EndpointDisplayState } from './HealthStatus';
