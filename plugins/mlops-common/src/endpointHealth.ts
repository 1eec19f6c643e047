import { EndpointHealthState } from './types';

/**
 * The states in which the model's server answered: healthy, or degraded
 * (live but not ready). Only these carry a latency, and an endpoint found in
 * one of them has been deployed.
 *
 * @public
 */
export const ANSWERED_STATES: readonly EndpointHealthState[] = Object.freeze([
  'healthy',
  'degraded',
]);

/**
 * Whether the model's server answered (see {@link ANSWERED_STATES}).
 *
 * @public
 */
export function hasAnswered(state: EndpointHealthState): boolean {
  return ANSWERED_STATES.includes(state);
}
