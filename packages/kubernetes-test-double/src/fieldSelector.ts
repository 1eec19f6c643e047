import { SelectorSyntaxError } from './labelSelector';

/** One requirement of a field selector, such as `involvedObject.name=my-pod` or `status.phase!=Running`. */
export interface FieldRequirement {
  path: string[];
  operator: 'equals' | 'notEquals';
  value: string;
}

const REQUIREMENT =
  /^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\s*(==|!=|=)\s*(.*)$/;

/**
 * Parses a field selector (`?fieldSelector=`): comma-joined `path=value`, `path==value` or
 * `path!=value`. Unlike a real API server, which allows a few fields per kind, any dotted path of
 * the object may be used.
 */
export function parseFieldSelector(selector?: string): FieldRequirement[] {
  return (selector ?? '')
    .split(',')
    .map(part => part.trim())
    .filter(part => part !== '')
    .map(part => {
      const match = REQUIREMENT.exec(part);
      if (!match) {
        throw new SelectorSyntaxError(`invalid field selector: "${part}"`);
      }
      const [, path, operator, value] = match;
      return {
        path: path.split('.'),
        operator: operator === '!=' ? 'notEquals' : 'equals',
        value: value.trim(),
      };
    });
}

/** Whether an object satisfies every requirement; a missing field counts as the empty string. */
export function matchesFieldSelector(
  object: unknown,
  requirements: readonly FieldRequirement[],
): boolean {
  return requirements.every(({ path, operator, value }) => {
    const field = path.reduce<unknown>(
      (current, key) =>
        current !== null && typeof current === 'object'
          ? (current as Record<string, unknown>)[key]
          : undefined,
      object,
    );
    const fieldText =
      field === undefined || field === null ? '' : String(field);
    return operator === 'equals' ? fieldText === value : fieldText !== value;
  });
}
