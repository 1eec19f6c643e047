/**
 * Sets `key` as the newest entry of `map`, dropping the oldest entry first
 * when `map` already holds `max` entries (a Map iterates in insertion order).
 */
export function setNewest<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  max: number,
): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
