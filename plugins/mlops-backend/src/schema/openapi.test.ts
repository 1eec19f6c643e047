import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { spec } from './openapi.generated';

describe('OpenAPI spec', () => {
  it('openapi.generated.ts matches openapi.yaml (run `yarn build:openapi` in plugins/mlops-backend after editing the YAML)', () => {
    const yaml = parse(
      readFileSync(resolve(__dirname, 'openapi.yaml'), 'utf8'),
    );
    expect(JSON.parse(JSON.stringify(spec))).toEqual(yaml);
  });

  it('documents exactly the routes the contract names', () => {
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/v1/entities/{kind}/{namespace}/{name}/health',
      '/v1/entities/{kind}/{namespace}/{name}/predict',
      '/v1/fleet',
    ]);
  });
});
