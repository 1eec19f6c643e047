export {
  DEPLOYMENT_NOT_SEEN,
  endpointDisplayState,
  EnvironmentHealthChip,
  firstRolloutProgress,
  HealthStatus,
  healthLabel,
  NOT_DEPLOYED_YET,
} from './HealthStatus';
export type {
  EndpointDisplayState,
  EnvironmentDeployment,
} from './HealthStatus';
