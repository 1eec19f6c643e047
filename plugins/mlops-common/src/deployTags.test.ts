import { deployTagPattern, environmentOfDeployTag } from './deployTags';

describe('deploy tags', () => {
  it.each([
    ['prod-run-7001-1', 'prod'],
    ['dev-run-12-3', 'dev'],
    ['eu-prod-run-5-1', 'eu-prod'],
  ])('%s was deployed to %s', (tag, environment) => {
    expect(environmentOfDeployTag(tag)).toBe(environment);
  });

  it.each([
    '3f2a9c1',
    'latest',
    'prod',
    'prod-runner',
    'prod-run-x-1',
    'prod-run-7001',
  ])('%s is no deploy tag', tag => {
    expect(environmentOfDeployTag(tag)).toBeUndefined();
  });

  it('shows the pattern of an environment', () => {
    expect(deployTagPattern('prod')).toBe('prod-run-*');
  });
});
