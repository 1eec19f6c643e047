export { RolloutOverview } from './RolloutOverview';
