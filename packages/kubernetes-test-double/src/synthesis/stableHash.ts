import { createHash } from 'node:crypto';

/** The characters Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** SHA-256 (hex) of the parts; the same parts always give the same hash. */
export function stableHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A UUID-shaped identifier derived from the parts, for `metadata.uid`. */
export function stableUid(...parts: string[]): string {
  const hex = stableHash('uid', ...parts);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `a${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

/** A suffix like the ones Kubernetes generates (`pod-template-hash`, pod names), derived from the parts. */
export function stableNameSuffix(length: number, ...parts: string[]): string {
  const bytes = Buffer.from(stableHash('suffix', ...parts), 'hex');
  return Array.from(
    bytes.subarray(0, length),
    byte => NAME_SUFFIX_ALPHABET[byte % NAME_SUFFIX_ALPHABET.length],
  ).join('');
}

/** A number in [0, modulo) derived from the parts. */
export function stableNumber(modulo: number, ...parts: string[]): number {
  return parseInt(stableHash('number', ...parts).slice(0, 8), 16) % modulo;
}
