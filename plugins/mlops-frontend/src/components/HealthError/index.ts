export { HealthError } from './HealthError';
export { HealthRefreshError } from './HealthRefreshError';
