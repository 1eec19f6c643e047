import {
  EndpointHealth,
  hasAnswered,
} from '@eks-mlops/backstage-plugin-mlops-common';

/**
 * One endpoint of one entity with a health result: a probe to store, the
 * latest result, or the latest with its 24-hour summary.
 */
export interface EndpointRecord<T extends EndpointHealth = EndpointHealth> {
  entityRef: string;
  health: T;
  /**
   * Consecutive failed probes up to and including this one, 0 after a
   * success; always set on what the store returns, 0 when absent on a write.
   */
  failures?: number;
  /**
   * Whether any probe of this endpoint found it up (healthy or degraded).
   * Set on what the store returns; ignored on a write, since the store
   * derives it from the results it records.
   */
  hasBeenUp?: boolean;
}

/** The one key of an endpoint, across the prober, the store and the caches. */
export function endpointKey(entityRef: string, environment: string): string {
  return `${entityRef}\u0000${environment}`;
}

/** Whether the model's server answered: healthy, or degraded. */
export function isUp(health: EndpointHealth): boolean {
  return hasAnswered(health.state);
}
