export { probeEndpoint } from './probeEndpoint';
export type { ProbeOptions } from './probeEndpoint';
