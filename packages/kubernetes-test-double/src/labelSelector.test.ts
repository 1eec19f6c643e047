import {
  matchesLabelSelector,
  parseLabelSelector,
  SelectorSyntaxError,
} from './labelSelector';

const labels = {
  'backstage.io/kubernetes-id': 'churn-model',
  'app.kubernetes.io/component': 'model-server',
  tier: 'backend',
};

function matches(
  selector: string,
  withLabels: Record<string, string> = labels,
) {
  return matchesLabelSelector(withLabels, parseLabelSelector(selector));
}

describe('label selectors', () => {
  it('matches the selector the kubernetes-backend sends', () => {
    expect(matches('backstage.io/kubernetes-id=churn-model')).toBe(true);
    expect(matches('backstage.io/kubernetes-id=other-model')).toBe(false);
  });

  it.each([
    ['k==v', 'tier==backend', true],
    ['k!=v', 'tier!=backend', false],
    ['k!=v on another value', 'tier!=frontend', true],
    ['k!=v on a missing label', 'missing!=x', true],
    ['k in (…)', 'tier in (frontend, backend)', true],
    ['k in (…) without the value', 'tier in (frontend)', false],
    ['k notin (…)', 'tier notin (frontend)', true],
    ['k notin (…) on a missing label', 'missing notin (x)', true],
    ['k', 'tier', true],
    ['!k', '!tier', false],
    ['!k on a missing label', '!missing', true],
    [
      'comma-joined, all true',
      'tier=backend,app.kubernetes.io/component=model-server',
      true,
    ],
    [
      'comma-joined, one false',
      'tier=backend, app.kubernetes.io/component=other',
      false,
    ],
    ['set with commas inside', 'tier in (a,backend),!missing', true],
    ['empty value', 'tier=', false],
  ])('%s: %s → %s', (_, selector, expected) => {
    expect(matches(selector)).toBe(expected);
  });

  it('selects everything with an empty selector', () => {
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector(undefined)).toEqual([]);
    expect(matches('', {})).toBe(true);
  });

  it('parses requirements into their parts', () => {
    expect(parseLabelSelector('a=1,b!=2,c in (3, 4),d,!e')).toEqual([
      { key: 'a', operator: 'equals', value: '1' },
      { key: 'b', operator: 'notEquals', value: '2' },
      { key: 'c', operator: 'in', values: ['3', '4'] },
      { key: 'd', operator: 'exists' },
      { key: 'e', operator: 'doesNotExist' },
    ]);
  });

  it.each([
    'a=b=c',
    'a in (b',
    'a notin b)',
    '=b',
    'a=(b)',
    'a b',
    'a in (b c)',
  ])('rejects %s', selector => {
    expect(() => parseLabelSelector(selector)).toThrow(SelectorSyntaxError);
  });
});
