/** Tag added to everything the actions create, so owners can find it. */
export const MANAGED_BY_TAG = { 'managed-by': 'backstage-mlops' };

/** The tags a resource gets: the requested ones plus {@link MANAGED_BY_TAG}. */
export function managedTags(
  requested: Record<string, string> | undefined,
): Record<string, string> {
  return { ...MANAGED_BY_TAG, ...requested };
}
