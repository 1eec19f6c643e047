export { PredictPlayground } from './PredictPlayground';
