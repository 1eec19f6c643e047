/*
 * The plugins are what adopters install, and the packages under tools/ and
 * examples/ depend on them: a plugin (its tests, dev/ and bench/ included) may
 * use packages/ but never import from tools/ or examples/. Relative imports
 * across packages are refused by @backstage/no-relative-monorepo-imports.
 */
const FORBIDDEN =
  /^(@internal\/(ml-service-tools|local-demo|example-e2e)|app|backend)(\/|$)/;
const message =
  'plugins may not import tools/ or examples/ (they depend on the plugins); move what both need to packages/';

module.exports = {
  restrictedSyntax: [
    `ImportDeclaration[source.value=${FORBIDDEN}]`,
    `ExportNamedDeclaration[source.value=${FORBIDDEN}]`,
    `ExportAllDeclaration[source.value=${FORBIDDEN}]`,
    `ImportExpression[source.value=${FORBIDDEN}]`,
    `CallExpression[callee.name='require'][arguments.0.value=${FORBIDDEN}]`,
  ].map(selector => ({ selector, message })),
};
