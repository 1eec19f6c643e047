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
      const uncovered = new Set(
        latest
          .filter(r => !this.stats.has(this.keyOf(r)))
          .map(r => r.entityRef),
      );
      if (uncovered.size > 0) await this.add(uncovered, latest);
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
    this.stats = await this.statsOf(latest, startedAt);
    this.computedAt = startedAt;
  }

  /**
   * The figures of `records`' endpoints, asked in small batches with a turn
   * of the event loop between them; an endpoint without probes gets none.
   */
  private async statsOf(
    records: EndpointRecord[],
    at: number,
  ): Promise<Map<string, WindowStats>> {
    const entityRefs = [...new Set(records.map(r => r.entityRef))];
    const found = new Map<string, WindowStats>();
    for (let i = 0; i < entityRefs.length; i += ENTITIES_PER_QUERY) {
      if (i > 0) await nextTurn();
      const batch = entityRefs.slice(i, i + ENTITIES_PER_QUERY);
      const stats = await this.store.windowStats(batch, new Date(at));
      for (const [key, value] of stats) found.set(key, value);
    }
    for (const record of records) {
      const key = this.keyOf(record);
      if (!found.has(key)) found.set(key, NO_STATS);
    }
    return found;
  }

  /** Computes the entities the cached figures lack, every endpoint of theirs. */
  private async add(
    entityRefs: Set<string>,
    latest: EndpointRecord[],
  ): Promise<void> {
    const records = latest.filter(r => entityRefs.has(r.entityRef));
    for (const [key, value] of await this.statsOf(records, this.now())) {
      this.stats.set(key, value);
    }
  }

  private keyOf(record: EndpointRecord): string {
    return endpointKey(record.entityRef, record.health.environment);
  }
}
