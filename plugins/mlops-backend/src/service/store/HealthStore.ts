import {
  EndpointHealth,
  EndpointHealthSummary,
  HealthHistoryPoint,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { endpointKey, EndpointRecord } from '../endpoints';

export type { HealthHistoryPoint };

/** Options of {@link HealthStore.history}. */
export interface HealthHistoryOptions {
  /** Inclusive upper bound; defaults to now. */
  until?: Date;
  /** Most points returned; defaults to 288 (5-minute buckets over 24 h). */
  maxPoints?: number;
}

/** An endpoint's 24-hour uptime and p50/p95 latency. */
export type WindowStats = Pick<
  EndpointHealthSummary,
  'uptime24h' | 'p50LatencyMs' | 'p95LatencyMs'
>;

/** Latest results with their 24-hour figures (keyed by `endpointKey`) added. */
export function withWindowStats(
  latest: EndpointRecord[],
  stats: Map<string, WindowStats>,
): EndpointRecord<EndpointHealthSummary>[] {
  return latest.map(record => ({
    ...record,
    health: {
      ...record.health,
      ...stats.get(endpointKey(record.entityRef, record.health.environment)),
    },
  }));
}

/**
 * Persistent probe history of model endpoints.
 *
 * Window semantics shared by every method: the 24-hour window ending at `now`
 * holds the probes with `now - 24h < checkedAt <= now`.
 */
export interface HealthStore {
  /** Stores one probe result (history and latest) with its failure count. */
  record(
    entityRef: string,
    health: EndpointHealth,
    failures?: number,
  ): Promise<void>;

  /** Stores the results of a probe cycle in chunked, transactional batches. */
  recordMany(results: EndpointRecord[]): Promise<void>;

  /**
   * The latest result per entity and environment, ordered by entity ref and
   * environment. Without `entityRefs`, every endpoint ever recorded (and not
   * yet removed by retention).
   */
  latest(entityRefs?: string[]): Promise<EndpointRecord[]>;

  /**
   * What the prober needs to decide which endpoints are due: the latest
   * result per endpoint without its details (environment, URL, state, time
   * and the failure count), for every endpoint.
   */
  probeStates(): Promise<EndpointRecord[]>;

  /**
   * The latest result per entity and environment with its 24-hour uptime and
   * p50/p95 latency (see DatabaseHealthStore for the exact definitions).
   */
  summaries(
    entityRefs?: string[],
    now?: Date,
  ): Promise<EndpointRecord<EndpointHealthSummary>[]>;

  /**
   * The 24-hour figures alone, keyed by `endpointKey`: what `summaries` adds
   * to the latest results. An endpoint without probes in the window has no
   * entry, one without latencies there has no percentiles.
   */
  windowStats(
    entityRefs?: string[],
    now?: Date,
  ): Promise<Map<string, WindowStats>>;

  /**
   * Probe history of environments of one entity, in one query: per
   * environment the probes with `since <= checkedAt <= until` (until
   * defaults to now), oldest first, downsampled to at most `maxPoints`
   * points; an environment without probes maps to an empty list.
   */
  histories(
    entityRef: string,
    environments: string[],
    since: Date,
    options?: HealthHistoryOptions,
  ): Promise<Map<string, HealthHistoryPoint[]>>;

  /**
   * Retention: deletes history rows with `checkedAt < cutoff`, and latest rows
   * of endpoints not probed since the cutoff. Returns the number of history
   * rows deleted.
   */
  deleteOlderThan(cutoff: Date): Promise<number>;
}
