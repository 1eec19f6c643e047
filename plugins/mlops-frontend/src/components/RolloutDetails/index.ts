export { RolloutDetails } from './RolloutDetails';
