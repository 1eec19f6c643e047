import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** Settings of the prober, the store, the outbound guard and the routes. */
export interface MlopsServiceOptions {
  prober: {
    enabled: boolean;
    intervalMs: number;
    timeoutMs: number;
    concurrency: number;
    jitterMs: number;
    maxBackoffMs: number;
    staleAfterMs: number;
    metadataRefreshMs: number;
  };
  retentionMs: number;
  /** How long the 24-hour figures of the fleet snapshot are reused. */
  summaryRefreshMs: number;
  outbound: {
    allowedHosts: string[];
    allowPrivateNetworks: boolean;
    maxResponseBytes: number;
  };
  predict: {
    timeoutMs: number;
    maxRequestBytes: number;
    maxResponseBytes: number;
  };
  fleetCacheTtlMs: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_OPTIONS: MlopsServiceOptions = {
  prober: {
    enabled: true,
    intervalMs: 60_000,
    timeoutMs: 5_000,
    concurrency: 20,
    jitterMs: 5_000,
    maxBackoffMs: 10 * 60_000,
    staleAfterMs: 120_000,
    metadataRefreshMs: 10 * 60_000,
  },
  retentionMs: 7 * 24 * 3600_000,
  summaryRefreshMs: 5 * 60_000,
  outbound: {
    allowedHosts: [],
    allowPrivateNetworks: false,
    maxResponseBytes: MIB,
  },
  predict: {
    timeoutMs: 30_000,
    maxRequestBytes: MIB,
    maxResponseBytes: 5 * MIB,
  },
  fleetCacheTtlMs: 10_000,
};

function configError(key: string, problem: string, fix: string): InputError {
  return new InputError(`mlops.${key} ${problem}; ${fix}`);
}

function readMs(
  config: Config | undefined,
  section: string,
  key: string,
  fallback: number,
  minimumMs: number,
): number {
  if (!config?.has(key)) return fallback;
  let duration: HumanDuration;
  try {
    duration = readDurationFromConfig(config, { key });
  } catch (error) {
    throw configError(
      `${section}.${key}`,
      `is not a duration (${(error as Error).message})`,
      "write it as '30s', 'PT30S' or { seconds: 30 }",
    );
  }
  const ms = durationToMilliseconds(duration);
  if (!(ms >= minimumMs)) {
    throw configError(
      `${section}.${key}`,
      `is ${ms} ms`,
      `use at least ${minimumMs} ms`,
    );
  }
  return ms;
}

function readPositiveInteger(
  config: Config | undefined,
  section: string,
  key: string,
  fallback: number,
): number {
  const value = config?.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw configError(
      `${section}.${key}`,
      `is ${value}`,
      'use a whole number of at least 1',
    );
  }
  return value;
}

function readHostPatterns(
  config: Config | undefined,
  section: string,
  key: string,
): string[] {
  const patterns = config?.getOptionalStringArray(key) ?? [];
  for (const pattern of patterns) {
    const trimmed = pattern.trim();
    const hasPort = (trimmed.match(/:/g) ?? []).length === 1;
    if (
      !trimmed ||
      /[/@\s]/.test(trimmed) ||
      hasPort ||
      /\*.*\*/.test(trimmed)
    ) {
      throw configError(
        `${section}.${key}`,
        `has the entry "${pattern}"`,
        "write host names or patterns such as 'models.example.com' or '*.models.example.com' (no scheme, port or path)",
      );
    }
  }
  return patterns.map(p => p.trim().toLowerCase());
}

/** The jitter: at most a tenth of the interval, or every cycle would sleep past its timeout. */
function readJitterMs(config: Config | undefined, intervalMs: number): number {
  const maxMs = Math.floor(intervalMs / 10);
  const jitterMs = readMs(
    config,
    'prober',
    'jitter',
    Math.min(DEFAULT_OPTIONS.prober.jitterMs, maxMs),
    0,
  );
  if (jitterMs > maxMs) {
    throw configError(
      'prober.jitter',
      `(${jitterMs} ms) is more than a tenth of prober.interval (${intervalMs} ms)`,
      `use at most ${maxMs} ms or lengthen the interval`,
    );
  }
  return jitterMs;
}

/**
 * Reads the `mlops` section; every problem names the key and how to fix it.
 * Defaults are in {@link DEFAULT_OPTIONS}.
 */
export function readMlopsServiceOptions(config: Config): MlopsServiceOptions {
  const root = config.getOptionalConfig('mlops');
  const prober = root?.getOptionalConfig('prober');
  const outbound = root?.getOptionalConfig('outbound');
  const predict = root?.getOptionalConfig('predict');
  const defaults = DEFAULT_OPTIONS;

  const intervalMs = readMs(
    prober,
    'prober',
    'interval',
    defaults.prober.intervalMs,
    1000,
  );
  const timeoutMs = readMs(
    prober,
    'prober',
    'timeout',
    defaults.prober.timeoutMs,
    100,
  );
  if (timeoutMs > intervalMs) {
    throw configError(
      'prober.timeout',
      `(${timeoutMs} ms) is longer than prober.interval (${intervalMs} ms)`,
      'shorten the timeout or lengthen the interval',
    );
  }
  return {
    prober: {
      enabled: prober?.getOptionalBoolean('enabled') ?? true,
      intervalMs,
      timeoutMs,
      concurrency: readPositiveInteger(
        prober,
        'prober',
        'concurrency',
        defaults.prober.concurrency,
      ),
      jitterMs: readJitterMs(prober, intervalMs),
      maxBackoffMs: readMs(
        prober,
        'prober',
        'maxBackoff',
        Math.max(defaults.prober.maxBackoffMs, intervalMs),
        intervalMs,
      ),
      staleAfterMs: readMs(
        prober,
        'prober',
        'staleAfter',
        2 * intervalMs,
        1000,
      ),
      metadataRefreshMs: readMs(
        prober,
        'prober',
        'metadataRefresh',
        defaults.prober.metadataRefreshMs,
        0,
      ),
    },
    retentionMs: readMs(
      root?.getOptionalConfig('history'),
      'history',
      'retention',
      defaults.retentionMs,
      3600_000,
    ),
    summaryRefreshMs: readMs(
      root?.getOptionalConfig('history'),
      'history',
      'summaryRefresh',
      defaults.summaryRefreshMs,
      0,
    ),
    outbound: {
      allowedHosts: readHostPatterns(outbound, 'outbound', 'allowedHosts'),
      allowPrivateNetworks:
        outbound?.getOptionalBoolean('allowPrivateNetworks') ?? false,
      maxResponseBytes: readPositiveInteger(
        outbound,
        'outbound',
        'maxResponseBytes',
        defaults.outbound.maxResponseBytes,
      ),
    },
    predict: {
      timeoutMs: readMs(
        predict,
        'predict',
        'timeout',
        defaults.predict.timeoutMs,
        100,
      ),
      maxRequestBytes: readPositiveInteger(
        predict,
        'predict',
        'maxRequestBytes',
        defaults.predict.maxRequestBytes,
      ),
      maxResponseBytes: readPositiveInteger(
        predict,
        'predict',
        'maxResponseBytes',
        defaults.predict.maxResponseBytes,
      ),
    },
    fleetCacheTtlMs: readMs(
      root?.getOptionalConfig('fleet'),
      'fleet',
      'cacheTtl',
      defaults.fleetCacheTtlMs,
      0,
    ),
  };
}
