import { endpointUrl, inferencePath, v1Paths, v2Paths } from './inferencePaths';

describe('inference protocol paths', () => {
  it('builds the V2 paths with the model name escaped', () => {
    expect(v2Paths('churn model')).toEqual({
      live: '/v2/health/live',
      ready: '/v2/health/ready',
      model: '/v2/models/churn%20model',
      modelReady: '/v2/models/churn%20model/ready',
      infer: '/v2/models/churn%20model/infer',
    });
  });

  it('builds the V1 paths', () => {
    expect(v1Paths('wine')).toEqual({
      model: '/v1/models/wine',
      predict: '/v1/models/wine:predict',
    });
  });

  it('picks the inference path by protocol', () => {
    expect(inferencePath('v1', 'a')).toBe('/v1/models/a:predict');
    expect(inferencePath('v2', 'a')).toBe('/v2/models/a/infer');
  });

  it('joins a base URL with or without a trailing slash and a path prefix', () => {
    expect(endpointUrl({ url: 'http://m:8080/' }, '/v2/health/ready')).toBe(
      'http://m:8080/v2/health/ready',
    );
    expect(
      endpointUrl({ url: 'https://gw/models/a//' }, '/v2/health/ready'),
    ).toBe('https://gw/models/a/v2/health/ready');
  });
});
