const SUFFIX_FACTORS: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The value of a Kubernetes quantity in base units (cores for CPU, bytes for memory):
 * `250m` → 0.25, `1` → 1, `512Mi` → 536870912. Undefined for a missing or malformed quantity.
 */
export function parseQuantity(
  quantity: string | number | undefined,
): number | undefined {
  if (typeof quantity === 'number') {
    return quantity;
  }
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(quantity ?? '');
  if (!match || !(match[2] in SUFFIX_FACTORS)) {
    return undefined;
  }
  return Number(match[1]) * SUFFIX_FACTORS[match[2]];
}

/** CPU cores as a millicore quantity, `0.105` → `105m`. */
export function formatMillicores(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

/** Bytes as a kibibyte quantity, `1048576` → `1024Ki`. */
export function formatKibibytes(bytes: number): string {
  return `${Math.round(bytes / 1024)}Ki`;
}
