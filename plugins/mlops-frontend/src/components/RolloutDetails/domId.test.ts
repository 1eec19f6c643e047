import { domIdOf } from './domId';

describe('domIdOf', () => {
  it('makes a single token of a cluster title with spaces', () => {
    const id = domIdOf('rollout', 'EKS prod (eu-west-1)', 'ml', 'churn-model');
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id).toBe('rollout-EKS_20_prod_20__28_eu-west-1_29_-ml-churn-model');
  });

  it('keeps different names apart', () => {
    expect(domIdOf('a b')).not.toBe(domIdOf('a_20_b'));
    expect(domIdOf('a.b')).not.toBe(domIdOf('a-b'));
  });
});
