/**
 * Label selectors in the text form the Kubernetes API accepts in `?labelSelector=`:
 * comma-joined requirements `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` and `!k`.
 */

/** One requirement of a label selector. */
export type LabelRequirement =
  | { key: string; operator: 'equals' | 'notEquals'; value: string }
  | { key: string; operator: 'in' | 'notIn'; values: string[] }
  | { key: string; operator: 'exists' | 'doesNotExist' };

/** Thrown for a selector the Kubernetes API would reject; the HTTP layer answers 400. */
export class SelectorSyntaxError extends Error {
  name = 'SelectorSyntaxError';
}

const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const DNS_SUBDOMAIN = '[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?';
const KEY = `(?:${DNS_SUBDOMAIN}/)?${NAME}`;
const VALUE = `(?:${NAME})?`;

const EQUALITY = new RegExp(`^(${KEY})\\s*(==|!=|=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const EXISTS = new RegExp(`^(${KEY})$`);
const DOES_NOT_EXIST = new RegExp(`^!\\s*(${KEY})$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

/** Parses a label selector; an empty or missing selector has no requirements and selects everything. */
export function parseLabelSelector(selector?: string): LabelRequirement[] {
  return splitTopLevel(selector ?? '').map(parseRequirement);
}

/** Whether labels satisfy every requirement. */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  requirements: readonly LabelRequirement[],
): boolean {
  return requirements.every(requirement => {
    const present = labels !== undefined && requirement.key in labels;
    const value = present ? labels[requirement.key] : undefined;
    switch (requirement.operator) {
      case 'equals':
        return present && value === requirement.value;
      case 'notEquals':
        return !present || value !== requirement.value;
      case 'in':
        return present && requirement.values.includes(value!);
      case 'notIn':
        return !present || !requirement.values.includes(value!);
      case 'exists':
        return present;
      case 'doesNotExist':
        return !present;
      default:
        return false;
    }
  });
}

/** Splits on commas that are not inside `( … )`, dropping empty parts. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of selector) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (depth < 0) {
      throw new SelectorSyntaxError(`unbalanced ")" in "${selector}"`);
    }
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  if (depth !== 0) {
    throw new SelectorSyntaxError(`unbalanced "(" in "${selector}"`);
  }
  parts.push(current);
  return parts.map(part => part.trim()).filter(part => part !== '');
}

function parseRequirement(text: string): LabelRequirement {
  const equality = EQUALITY.exec(text);
  if (equality) {
    const [, key, operator, value] = equality;
    return {
      key,
      operator: operator === '!=' ? 'notEquals' : 'equals',
      value,
    };
  }
  const set = SET.exec(text);
  if (set) {
    const [, key, operator, list] = set;
    const values = list.split(',').map(value => value.trim());
    if (values.some(value => !VALUE_ONLY.test(value))) {
      throw new SelectorSyntaxError(`invalid value in "${text}"`);
    }
    return { key, operator: operator === 'in' ? 'in' : 'notIn', values };
  }
  const exists = EXISTS.exec(text);
  if (exists) {
    return { key: exists[1], operator: 'exists' };
  }
  const doesNotExist = DOES_NOT_EXIST.exec(text);
  if (doesNotExist) {
    return { key: doesNotExist[1], operator: 'doesNotExist' };
  }
  throw new SelectorSyntaxError(`unable to parse requirement: "${text}"`);
}
