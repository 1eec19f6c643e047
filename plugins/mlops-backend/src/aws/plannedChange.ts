/**
 * One step that brings a resource to its desired state. Planning is
 * read-only; `apply` is the only place a mutating AWS call happens.
 */
export interface PlannedChange {
  /** `create` for a new resource, `converge` for a setting brought to the desired state. */
  kind: 'create' | 'converge';
  /** What is created or converged, e.g. `versioning of bucket "x"`. */
  subject: string;
  /** The current and the desired value, for converges. */
  from?: string;
  to?: string;
  apply(): Promise<void>;
}

function transition(change: PlannedChange): string {
  return change.kind === 'converge'
    ? ` (${change.from ?? 'not set'} → ${change.to})`
    : '';
}

/** How a dry-run reports a change it would make. */
export function describePlanned(change: PlannedChange): string {
  const verb = change.kind === 'create' ? 'would create' : 'would converge';
  return `${verb} ${change.subject}${transition(change)}`;
}

/** How a real run reports a change it made. */
export function describeApplied(change: PlannedChange): string {
  const verb = change.kind === 'create' ? 'created' : 'converged';
  return `${verb} ${change.subject}${transition(change)}`;
}

/**
 * The partitions other than `aws`, by the prefix of their regions' codes, as the
 * SDK's partition data names them (each partition's `regionRegex` in
 * `@aws-sdk/core`'s `partitions.js`).
 */
const PARTITION_PREFIXES: Array<[string, string]> = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-iso-', 'aws-iso'],
  ['us-isob-', 'aws-iso-b'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
  ['eusc-', 'aws-eusc'],
];

/**
 * AWS partition of a region, for ARNs and endpoints. Every region gets its
 * own partition, but the actions support only `aws`, `aws-cn` and
 * `aws-us-gov`: `checkRegion` refuses the others.
 */
export function partitionOf(region: string): string {
  const match = PARTITION_PREFIXES.find(([prefix]) =>
    region.startsWith(prefix),
  );
  return match ? match[1] : 'aws';
}

/** Sorted, stable JSON, so that policies read back from AWS compare by meaning. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(sortDeep)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map(key => [key, sortDeep((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Tags to add or change so that `actual` holds every desired tag; others are kept. */
export function missingTags(
  actual: Record<string, string>,
  desired: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(desired).filter(([key, value]) => actual[key] !== value),
  );
}

/** AWS's `[{ Key, Value }]` tag list from a plain map. */
export function toTagList(
  tags: Record<string, string>,
): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** A plain map from AWS's `[{ Key, Value }]` tag list. */
export function fromTagList(
  tags: Array<{ Key?: string; Value?: string }> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).map(t => [t.Key ?? '', t.Value ?? '']),
  );
}
