import { EndpointHealthState } from './types';
import { hasAnswered } from './endpointHealth';

describe('hasAnswered', () => {
  it.each<[EndpointHealthState, boolean]>([
    ['healthy', true],
    ['degraded', true],
    ['down', false],
    ['unknown', false],
  ])('%s: %s', (state, answered) => {
    expect(hasAnswered(state)).toBe(answered);
  });
});
