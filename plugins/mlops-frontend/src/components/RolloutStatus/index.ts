export { RolloutStatus } from './RolloutStatus';
