export { probeEndpoint } from './probeEndpoint';
