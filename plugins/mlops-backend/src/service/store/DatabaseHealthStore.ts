import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  ANSWERED_STATES,
  EndpointHealth,
  EndpointHealthState,
  EndpointHealthSummary,
  ModelMetadata,
  ProbeErrorClass,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { endpointKey, EndpointRecord, isUp } from '../endpoints';
import {
  HealthHistoryOptions,
  HealthHistoryPoint,
  HealthStore,
  WindowStats,
  withWindowStats,
} from './HealthStore';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const HISTORY_TABLE = 'mlops_probe_results';
const LATEST_TABLE = 'mlops_endpoint_latest';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MAX_POINTS = 288;
const MAX_ERROR_MESSAGE_LENGTH = 2000;

/**
 * Bound variables per statement. SQLite builds before 3.32 allow only 999
 * (newer ones 32,766, PostgreSQL 65,535); staying under 999 keeps one code
 * path for every engine. A probe row binds 13 values, so ~69 rows per insert.
 */
const MAX_BINDINGS_PER_STATEMENT = 900;
/** Entity refs per `IN (...)` list; far below every engine's limit. */
const IN_LIST_CHUNK = 500;

/** The error class of probes that found the environment not deployed yet. */
const NOT_DEPLOYED: ProbeErrorClass = 'not-deployed';

/** Percentiles served, in whole percent. */
const PERCENTILES = [50, 95] as const;

const STATE_SEVERITY: Record<EndpointHealthState, number> = {
  healthy: 0,
  unknown: 1,
  degraded: 2,
  down: 3,
};

const migrationsDir = resolvePackagePath(
  '@eks-mlops/backstage-plugin-mlops-backend',
  'migrations',
);

interface ProbeRow {
  entity_ref: string;
  environment: string;
  url: string;
  state: string;
  live: boolean | number | null;
  ready: boolean | number | null;
  model_ready: boolean | number | null;
  latency_ms: number | null;
  http_status: number | null;
  error_class: string | null;
  error_message: string | null;
  model_metadata: string | null;
  checked_at: Date | number | string;
}

type InsertRow = Omit<ProbeRow, 'checked_at'> & { checked_at: Date };

type LatestRow = ProbeRow & {
  failures: number | string;
  has_been_up: boolean | number;
};

type LatestInsertRow = InsertRow & { failures: number; has_been_up: boolean };

/** SQLite stores the bound Date as epoch milliseconds, PostgreSQL as timestamptz. */
function toDate(value: Date | number | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toBool(value: boolean | number | null): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  return Boolean(value);
}

function toNumber(value: number | string | null): number | undefined {
  if (value === null || value === undefined) return undefined;
  return Number(value);
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

function toRow(entityRef: string, health: EndpointHealth): InsertRow {
  const checkedAt = new Date(health.checkedAt);
  if (Number.isNaN(checkedAt.getTime())) {
    throw new TypeError(
      `Invalid checkedAt '${health.checkedAt}' for ${entityRef} (${health.environment})`,
    );
  }
  return {
    entity_ref: entityRef,
    environment: health.environment,
    url: health.url,
    state: health.state,
    live: health.live ?? null,
    ready: health.ready ?? null,
    model_ready: health.modelReady ?? null,
    latency_ms:
      health.latencyMs === undefined ? null : Math.round(health.latencyMs),
    http_status: health.httpStatus ?? null,
    error_class: health.errorClass ?? null,
    error_message:
      health.errorMessage === undefined
        ? null
        : health.errorMessage.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    model_metadata:
      health.model === undefined ? null : JSON.stringify(health.model),
    checked_at: checkedAt,
  };
}

function fromRow(row: ProbeRow): EndpointHealth {
  const health: EndpointHealth = {
    environment: row.environment,
    url: row.url,
    state: row.state as EndpointHealthState,
    checkedAt: toDate(row.checked_at).toISOString(),
  };
  const live = toBool(row.live);
  if (live !== undefined) health.live = live;
  const ready = toBool(row.ready);
  if (ready !== undefined) health.ready = ready;
  const modelReady = toBool(row.model_ready);
  if (modelReady !== undefined) health.modelReady = modelReady;
  const latencyMs = toNumber(row.latency_ms);
  if (latencyMs !== undefined) health.latencyMs = latencyMs;
  const httpStatus = toNumber(row.http_status);
  if (httpStatus !== undefined) health.httpStatus = httpStatus;
  if (row.error_class !== null) {
    health.errorClass = row.error_class as ProbeErrorClass;
  }
  if (row.error_message !== null) health.errorMessage = row.error_message;
  if (row.model_metadata !== null) {
    try {
      health.model = JSON.parse(row.model_metadata) as ModelMetadata;
    } catch {
      // A corrupt metadata blob must not hide the health result itself.
    }
  }
  return health;
}

/**
 * One latest row per endpoint, the newest of its results (PostgreSQL refuses
 * an upsert that touches the same row twice in one statement), up if any of
 * them was.
 */
function newestPerEndpoint(
  rows: InsertRow[],
  results: EndpointRecord[],
): LatestInsertRow[] {
  const newest = new Map<string, LatestInsertRow>();
  rows.forEach((row, i) => {
    const key = endpointKey(row.entity_ref, row.environment);
    const seen = newest.get(key);
    const hasBeenUp = Boolean(seen?.has_been_up) || isUp(results[i].health);
    if (!seen || seen.checked_at.getTime() <= row.checked_at.getTime()) {
      newest.set(key, {
        ...row,
        failures: results[i].failures ?? 0,
        has_been_up: hasBeenUp,
      });
    } else {
      seen.has_been_up = hasBeenUp;
    }
  });
  return [...newest.values()];
}

/**
 * The upsert's updates: every column from the new row, except that an
 * endpoint once up stays so, whichever instance wrote that result.
 */
function keepingHasBeenUp(tx: Knex, columns: string[]) {
  return Object.fromEntries(
    columns.map(column => [
      column,
      column === 'has_been_up'
        ? tx.raw('?? or ??', [
            'excluded.has_been_up',
            `${LATEST_TABLE}.has_been_up`,
          ])
        : tx.ref(`excluded.${column}`),
    ]),
  );
}

/**
 * Linear interpolation between closest ranks (the definition of PostgreSQL's
 * `percentile_cont`): position `p/100 * (n - 1)` in the ascending list. Kept
 * in integer arithmetic up to the last step so every engine gets the same
 * answer bit for bit.
 */
export function percentileIndex(
  percent: number,
  n: number,
): { index: number; remainder: number } {
  const scaled = percent * (n - 1);
  const index = Math.floor(scaled / 100);
  return { index, remainder: scaled - index * 100 };
}

function interpolate(
  lower: number,
  upper: number | undefined,
  remainder: number,
): number {
  if (upper === undefined || remainder === 0) return lower;
  return lower + ((upper - lower) * remainder) / 100;
}

/**
 * Fixed-width time buckets over [since, until]: at most maxPoints of them,
 * empty ones omitted. The bucketing is done here rather than in SQL because
 * the engines store timestamps differently.
 */
type HistoryRow = Pick<
  ProbeRow,
  'environment' | 'checked_at' | 'state' | 'latency_ms'
>;

function downsample(
  rows: HistoryRow[],
  since: Date,
  until: Date,
  maxPoints: number,
): HealthHistoryPoint[] {
  const probes = rows.map(row => ({
    time: toDate(row.checked_at).getTime(),
    state: row.state as EndpointHealthState,
    latencyMs: toNumber(row.latency_ms),
  }));

  const start = since.getTime();
  // A probe exactly at `until` joins the last bucket.
  const width =
    probes.length <= maxPoints
      ? undefined
      : Math.max(1, Math.ceil((until.getTime() - start) / maxPoints));

  const points: HealthHistoryPoint[] = [];
  let bucket: { key: number; probes: typeof probes } | undefined;
  const flush = () => {
    if (!bucket) return;
    const measured = bucket.probes.filter(p => p.latencyMs !== undefined);
    const point: HealthHistoryPoint = {
      checkedAt: new Date(
        width === undefined
          ? bucket.probes[0].time
          : start + bucket.key * width,
      ).toISOString(),
      samples: bucket.probes.length,
      uptime:
        bucket.probes.filter(p => p.state === 'healthy').length /
        bucket.probes.length,
      state: bucket.probes.reduce<EndpointHealthState>(
        (worst, p) =>
          STATE_SEVERITY[p.state] > STATE_SEVERITY[worst] ? p.state : worst,
        'healthy',
      ),
    };
    if (measured.length > 0) {
      point.latencyMs = Math.round(
        measured.reduce((sum, p) => sum + p.latencyMs!, 0) / measured.length,
      );
    }
    points.push(point);
  };
  probes.forEach((probe, i) => {
    const key =
      width === undefined
        ? i
        : Math.min(Math.floor((probe.time - start) / width), maxPoints - 1);
    if (!bucket || bucket.key !== key) {
      flush();
      bucket = { key, probes: [] };
    }
    bucket.probes.push(probe);
  });
  flush();
  return points;
}

/**
 * Health history in the plugin database (SQLite in development, PostgreSQL
 * in production).
 *
 * - `latest` reads `mlops_endpoint_latest`, one row per endpoint kept by an
 *   upsert on every probe (ignored when older than the stored row), so it is
 *   a primary-key read whatever the history size.
 * - `uptime24h` = healthy probes / probes in the window, leaving out those
 *   that found the environment not deployed yet (`not-deployed`): the time
 *   before a first deploy is no downtime. None without such probes.
 * - `p50LatencyMs` / `p95LatencyMs`: over the latencies of `healthy` and
 *   `degraded` probes in the window (failed probes carry the timeout or
 *   nothing, which would distort the figure), interpolated between closest
 *   ranks exactly like `percentile_cont`. The ranking is done in SQL with
 *   `row_number()`/`count(*)` window functions (PostgreSQL, SQLite ≥ 3.25)
 *   and only the ≤ 4 rows around the two ranks per endpoint are returned;
 *   the interpolation is done in JS, so both engines give identical answers.
 * - The window is `now - 24h < checked_at <= now`.
 */
export class DatabaseHealthStore implements HealthStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseHealthStore> {
    const { database, skipMigrations } = options;
    const client = await database.getClient();
    if (!skipMigrations && !database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseHealthStore(client);
  }

  /** Rolls every migration of this plugin back (tests and tooling). */
  static async rollbackMigrations(client: Knex): Promise<void> {
    await client.migrate.rollback({ directory: migrationsDir }, true);
  }

  private constructor(private readonly db: Knex) {}

  async record(
    entityRef: string,
    health: EndpointHealth,
    failures = 0,
  ): Promise<void> {
    await this.recordMany([{ entityRef, health, failures }]);
  }

  async recordMany(results: EndpointRecord[]): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map(r => toRow(r.entityRef, r.health));

    const latestRows = newestPerEndpoint(rows, results);
    const rowsPerStatement = Math.floor(
      MAX_BINDINGS_PER_STATEMENT / Object.keys(latestRows[0]).length,
    );
    await this.db.transaction(async tx => {
      for (const batch of chunk(rows, rowsPerStatement)) {
        await tx(HISTORY_TABLE).insert(batch);
      }
      for (const batch of chunk(latestRows, rowsPerStatement)) {
        await tx(LATEST_TABLE)
          .insert(batch)
          .onConflict(['entity_ref', 'environment'])
          .merge(keepingHasBeenUp(tx, Object.keys(batch[0])))
          .where(
            `${LATEST_TABLE}.checked_at`,
            '<=',
            tx.ref('excluded.checked_at'),
          );
      }
    });
  }

  async latest(entityRefs?: string[]): Promise<EndpointRecord[]> {
    const rows = await this.forEntityChunks(entityRefs, refs => {
      const query = this.db<LatestRow>(LATEST_TABLE).select();
      if (refs) query.whereIn('entity_ref', refs);
      return query;
    });
    return rows
      .map(row => ({
        entityRef: row.entity_ref,
        health: fromRow(row),
        failures: Number(row.failures),
        hasBeenUp: Boolean(row.has_been_up),
      }))
      .sort(
        (a, b) =>
          a.entityRef.localeCompare(b.entityRef) ||
          a.health.environment.localeCompare(b.health.environment),
      );
  }

  async probeStates(): Promise<EndpointRecord[]> {
    const rows = await this.db<LatestRow>(LATEST_TABLE).select(
      'entity_ref',
      'environment',
      'url',
      'state',
      'checked_at',
      'failures',
      'has_been_up',
    );
    return rows.map(row => ({
      entityRef: row.entity_ref,
      health: {
        environment: row.environment,
        url: row.url,
        state: row.state as EndpointHealthState,
        checkedAt: toDate(row.checked_at).toISOString(),
      },
      failures: Number(row.failures),
      hasBeenUp: Boolean(row.has_been_up),
    }));
  }

  async summaries(
    entityRefs?: string[],
    now: Date = new Date(),
  ): Promise<EndpointRecord<EndpointHealthSummary>[]> {
    const latest = await this.latest(entityRefs);
    if (latest.length === 0) return [];
    const stats = await this.windowStats(entityRefs, now);
    return withWindowStats(latest, stats);
  }

  async windowStats(
    entityRefs?: string[],
    now: Date = new Date(),
  ): Promise<Map<string, WindowStats>> {
    const from = new Date(now.getTime() - DAY_MS);

    const window = (refs: string[] | undefined) => {
      const query = this.db(HISTORY_TABLE)
        .where('checked_at', '>', from)
        .andWhere('checked_at', '<=', now);
      if (refs) query.whereIn('entity_ref', refs);
      return query;
    };

    const counts = await this.forEntityChunks(entityRefs, refs =>
      window(refs)
        .select('entity_ref', 'environment')
        .select(
          this.db.raw(
            `sum(case when error_class = '${NOT_DEPLOYED}' then 0 else 1 end) as total`,
          ),
          this.db.raw(
            "sum(case when state = 'healthy' then 1 else 0 end) as healthy",
          ),
        )
        .groupBy('entity_ref', 'environment'),
    );

    const ranks = PERCENTILES.flatMap(p => [
      `rn - 1 = (${p} * (n - 1)) / 100`,
      `rn - 1 = (${p} * (n - 1)) / 100 + 1`,
    ]);
    const ranked = await this.forEntityChunks(entityRefs, refs => {
      const inner = window(refs)
        .whereNotNull('latency_ms')
        .whereIn('state', [...ANSWERED_STATES])
        .select(
          'entity_ref',
          'environment',
          'latency_ms',
          this.db.raw(
            'row_number() over (partition by entity_ref, environment order by latency_ms) as rn',
          ),
          this.db.raw(
            'count(*) over (partition by entity_ref, environment) as n',
          ),
        );
      return this.db
        .select('entity_ref', 'environment', 'latency_ms', 'rn', 'n')
        .from(inner.as('ranked'))
        .where(builder => {
          for (const rank of ranks) builder.orWhereRaw(rank);
        });
    });

    const uptime = new Map<string, number>();
    for (const row of counts as Array<Record<string, unknown>>) {
      const total = Number(row.total ?? 0);
      if (total > 0) {
        uptime.set(
          endpointKey(String(row.entity_ref), String(row.environment)),
          Number(row.healthy) / total,
        );
      }
    }

    const latencies = new Map<
      string,
      { n: number; byIndex: Map<number, number> }
    >();
    for (const row of ranked as Array<Record<string, unknown>>) {
      const key = endpointKey(String(row.entity_ref), String(row.environment));
      let entry = latencies.get(key);
      if (!entry) {
        entry = { n: Number(row.n), byIndex: new Map() };
        latencies.set(key, entry);
      }
      entry.byIndex.set(Number(row.rn) - 1, Number(row.latency_ms));
    }

    const stats = new Map<string, WindowStats>();
    for (const [key, share] of uptime) stats.set(key, { uptime24h: share });
    for (const [key, entry] of latencies) {
      const [p50, p95] = PERCENTILES.map(p => {
        const { index, remainder } = percentileIndex(p, entry.n);
        return interpolate(
          entry.byIndex.get(index)!,
          entry.byIndex.get(index + 1),
          remainder,
        );
      });
      stats.set(key, {
        ...stats.get(key),
        p50LatencyMs: p50,
        p95LatencyMs: p95,
      });
    }
    return stats;
  }

  async histories(
    entityRef: string,
    environments: string[],
    since: Date,
    options: HealthHistoryOptions = {},
  ): Promise<Map<string, HealthHistoryPoint[]>> {
    const until = options.until ?? new Date();
    const maxPoints = Math.max(
      1,
      Math.floor(options.maxPoints ?? DEFAULT_MAX_POINTS),
    );
    const result = new Map<string, HealthHistoryPoint[]>();
    if (environments.length === 0) return result;
    const rows = await this.db<ProbeRow>(HISTORY_TABLE)
      .select('environment', 'checked_at', 'state', 'latency_ms')
      .where({ entity_ref: entityRef })
      .whereIn('environment', [...new Set(environments)])
      .andWhere('checked_at', '>=', since)
      .andWhere('checked_at', '<=', until)
      .orderBy([
        { column: 'environment', order: 'asc' },
        { column: 'checked_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    const byEnvironment = new Map<string, HistoryRow[]>();
    for (const row of rows) {
      const list = byEnvironment.get(row.environment);
      if (list) list.push(row);
      else byEnvironment.set(row.environment, [row]);
    }
    for (const environment of environments) {
      result.set(
        environment,
        downsample(
          byEnvironment.get(environment) ?? [],
          since,
          until,
          maxPoints,
        ),
      );
    }
    return result;
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    return this.db.transaction(async tx => {
      const deleted = await tx(HISTORY_TABLE)
        .where('checked_at', '<', cutoff)
        .delete();
      await tx(LATEST_TABLE).where('checked_at', '<', cutoff).delete();
      return deleted;
    });
  }

  /** Runs a query per chunk of entity refs (or once without a filter). */
  private async forEntityChunks<T>(
    entityRefs: string[] | undefined,
    query: (refs: string[] | undefined) => PromiseLike<T[]>,
  ): Promise<T[]> {
    if (!entityRefs) return query(undefined);
    const unique = [...new Set(entityRefs)];
    const results: T[] = [];
    for (const refs of chunk(unique, IN_LIST_CHUNK)) {
      results.push(...(await query(refs)));
    }
    return results;
  }
}
