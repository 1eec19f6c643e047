export {
  endpointDisplayState,
  EnvironmentHealthChip,
  HealthStatus,
  healthLabel,
  NOT_DEPLOYED_YET,
} from './HealthStatus';
export type { EndpointDisplayState } from './HealthStatus';
