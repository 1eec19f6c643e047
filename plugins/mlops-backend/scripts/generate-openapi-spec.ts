/*
 * Writes src/schema/openapi.generated.ts from src/schema/openapi.yaml: the spec
 * as a `const` object, which `createValidatedOpenApiRouter<typeof spec>` turns
 * into request validation and typed handlers.
 *
 * `backstage-repo-tools package schema openapi generate --server` would also
 * emit model classes, but it needs the OpenAPI Generator jar from Maven
 * Central, which is not reachable where this project is built; the const spec
 * is the part the router needs. src/schema/openapi.test.ts fails when the two
 * files drift apart.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

const schemaDir = resolve(__dirname, '../src/schema');
const yamlPath = resolve(schemaDir, 'openapi.yaml');
const tsPath = resolve(schemaDir, 'openapi.generated.ts');

const spec = parse(readFileSync(yamlPath, 'utf8'));
writeFileSync(
  tsPath,
  `// This file is generated from openapi.yaml by \`yarn build:openapi\`; do not edit it.
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
`,
);
execFileSync('yarn', ['run', '-T', 'prettier', '--write', tsPath], {
  stdio: 'inherit',
});
console.log(`wrote ${tsPath}`);
