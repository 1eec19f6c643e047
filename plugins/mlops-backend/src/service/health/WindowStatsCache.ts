import { endpointKey, EndpointRecord } from '../endpoints';
import { HealthStore, WindowStats } from '../store';

/** Entities per window query while recomputing: a short hold of the event loop on SQLite. */
const ENTITIES_PER_QUERY = 20;

const NO_STATS: WindowStats = {};

function nextTurn(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve));
}

/**
 * The 24-hour figures (uptime, p50/p95 latency) of every endpoint, for the
 * fleet snapshot that each probe cycle refreshes.
 *
 * Ranking a day of history costs seconds for a thousand endpoints (about
 * 1.4 million rows at the default interval), while the figures move slowly;
 * so they are recomputed at most every `refreshMs` and reused in between,
 * in small queries with a turn of the event loop between them. Endpoints
 * the last computation did not cover (new services) are computed at once.
 * `refreshMs` 0 recomputes on every call.
 */
export class WindowStatsCache {
  private stats = new Map<string, WindowStats>();
  private computedAt = Number.NEGATIVE_INFINITY;
  private computing?: Promise<void>;

  constructor(
    private readonly store: HealthStore,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The figures of the endpoints in `latest`, keyed by `endpointKey`. */
  async statsFor(latest: EndpointRecord[]): Promise<Map<string, WindowStats>> {
    if (this.now() - this.computedAt >= this.refreshMs) {
      await this.recompute(latest);
    } else {
      const uncovered = latest
        .filter(r => !this.stats.has(this.keyOf(r)))
        .map(r => r.entityRef);
      if (uncovered.length > 0) await this.add([...new Set(uncovered)], latest);
    }
    return this.stats;
  }

  private recompute(latest: EndpointRecord[]): Promise<void> {
    this.computing ??= this.computeAll(latest).finally(() => {
      this.computing = undefined;
    });
    return this.computing;
  }

  private async computeAll(latest: EndpointRecord[]): Promise<void> {
    const startedAt = this.now();
    const entityRefs = [...new Set(latest.map(r => r.entityRef))];
    const found = await this.windowStatsOf(entityRefs, startedAt);
    this.stats = this.coverEvery(latest, found);
    this.computedAt = startedAt;
  }

  /** The store's figures, asked in small batches with a turn of the event loop between them. */
  private async windowStatsOf(
    entityRefs: string[],
    at: number,
  ): Promise<Map<string, WindowStats>> {
    const found = new Map<string, WindowStats>();
    for (let i = 0; i < entityRefs.length; i += ENTITIES_PER_QUERY) {
      if (i > 0) await nextTurn();
      const batch = entityRefs.slice(i, i + ENTITIES_PER_QUERY);
      const stats = await this.store.windowStats(batch, new Date(at));
      for (const [key, value] of stats) found.set(key, value);
    }
    return found;
  }

  /** `found` with an empty entry for each endpoint of `latest` it lacks. */
  private coverEvery(
    latest: EndpointRecord[],
    found: Map<string, WindowStats>,
  ): Map<string, WindowStats> {
    for (const record of latest) {
      const key = this.keyOf(record);
      if (!found.has(key)) found.set(key, NO_STATS);
    }
    return found;
  }

  /** Computes entities the cached figures lack; their endpoints without probes get none. */
  private async add(
    entityRefs: string[],
    latest: EndpointRecord[],
  ): Promise<void> {
    const found = await this.windowStatsOf(entityRefs, this.now());
    const requested = new Set(entityRefs);
    for (const record of latest) {
      if (!requested.has(record.entityRef)) continue;
      const key = this.keyOf(record);
      this.stats.set(key, found.get(key) ?? NO_STATS);
    }
  }

  private keyOf(record: EndpointRecord): string {
    return endpointKey(record.entityRef, record.health.environment);
  }
}
