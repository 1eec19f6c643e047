import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { EndpointHealthSummary } from '@eks-mlops/backstage-plugin-mlops-common';
import { EndpointRecord } from '../endpoints';
import { HealthStore, withWindowStats } from '../store';
import { WindowStatsCache } from './WindowStatsCache';

/** The latest summaries of every endpoint, grouped by entity. */
export interface HealthSnapshot {
  version: string;
  generatedAt: string;
  byEntity: Map<string, EndpointHealthSummary[]>;
}

interface StoredSnapshot {
  version: string;
  generatedAt: string;
  items: EndpointRecord<EndpointHealthSummary>[];
}

const VERSION_KEY = 'health-snapshot-version';
/** Each snapshot is written once under its own key, then the version points at it. */
const snapshotKey = (version: string) => `health-snapshot/${version}`;

function group(
  items: EndpointRecord<EndpointHealthSummary>[],
): Map<string, EndpointHealthSummary[]> {
  const byEntity = new Map<string, EndpointHealthSummary[]>();
  for (const { entityRef, health } of items) {
    const list = byEntity.get(entityRef);
    if (list) list.push(health);
    else byEntity.set(entityRef, [health]);
  }
  return byEntity;
}

/** A snapshot as stored, or undefined for anything else (a missing or foreign entry). */
function parseSnapshot(
  value: JsonValue | undefined,
): Partial<StoredSnapshot> | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * Hot reads of the fleet's health: the summaries are computed once per probe
 * cycle, not per request (their 24-hour figures at most every
 * `mlops.history.summaryRefresh`, see {@link WindowStatsCache}). The snapshot
 * lives in the CacheService (shared by every backend instance when the cache
 * is shared), and each instance keeps its parsed copy until the small version
 * key says a newer one exists. A snapshot is never overwritten (each has its
 * own key), so a reader between a writer's two writes still finds the
 * snapshot its version names.
 */
export class HealthSnapshotCache {
  private local?: HealthSnapshot;
  private refreshing?: Promise<HealthSnapshot>;
  private queued?: Promise<HealthSnapshot>;
  /** Versions this instance wrote, newest last; older ones are deleted. */
  private readonly written: string[] = [];

  constructor(
    private readonly store: HealthStore,
    private readonly cache: CacheService,
    private readonly ttlMs: number,
    private readonly windowStats = new WindowStatsCache(store, 0),
  ) {}

  async get(): Promise<HealthSnapshot> {
    const version = await this.cache.get<string>(VERSION_KEY);
    if (version && this.local?.version === version) return this.local;
    if (version) {
      const stored = parseSnapshot(await this.cache.get(snapshotKey(version)));
      if (stored?.version === version && stored.generatedAt && stored.items) {
        this.local = {
          version,
          generatedAt: stored.generatedAt,
          byEntity: group(stored.items),
        };
        return this.local;
      }
    }
    return this.refresh();
  }

  /**
   * Recomputes the summaries from the store. The result reflects everything
   * stored before the call: a call while a run is going waits for one more
   * run after it (shared by every such call), since the running one may have
   * read the store too early.
   */
  refresh(): Promise<HealthSnapshot> {
    if (!this.refreshing) {
      this.refreshing = this.compute().finally(() => {
        this.refreshing = undefined;
      });
      return this.refreshing;
    }
    this.queued ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  private async compute(): Promise<HealthSnapshot> {
    const latest = await this.store.latest();
    const stats = await this.windowStats.statsFor(latest);
    const items = withWindowStats(latest, stats);
    const generatedAt = new Date().toISOString();
    const version = `${generatedAt}/${Math.random().toString(36).slice(2)}`;
    const stored: StoredSnapshot = { version, generatedAt, items };
    // A JSON string, not the object: the cache's serializer (Keyv's, in
    // every Backstage cache store) walks an object value by value in
    // JavaScript, while one JSON.stringify here and one JSON.parse per reader
    // are native.
    await this.cache.set(snapshotKey(version), JSON.stringify(stored), {
      ttl: this.ttlMs,
    });
    await this.cache.set(VERSION_KEY, version, { ttl: this.ttlMs });
    this.local = { version, generatedAt, byEntity: group(items) };
    await this.deleteOlderThanPrevious(version);
    return this.local;
  }

  /**
   * Keeps this instance's newest two snapshots: a reader that has just read
   * the previous version still finds it, and older ones would only wait for
   * their TTL. (A reader that still misses one recomputes, as on a cold cache.)
   */
  private async deleteOlderThanPrevious(version: string): Promise<void> {
    this.written.push(version);
    const outdated = this.written.splice(
      0,
      Math.max(0, this.written.length - 2),
    );
    await Promise.all(
      outdated.map(old => this.cache.delete(snapshotKey(old)).catch(() => {})),
    );
  }
}
