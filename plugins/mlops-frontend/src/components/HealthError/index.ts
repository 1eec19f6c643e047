export { HealthError } from './HealthError';
