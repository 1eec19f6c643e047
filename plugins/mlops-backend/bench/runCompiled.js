/*
 * node bench/runCompiled.js <bench> [args] — runs bench/<bench>.ts as the
 * product runs: compiled to JavaScript by esbuild (the compiler
 * `backstage-cli package build` uses), the plugin's and mlops-common's
 * sources bundled, every other package loaded from node_modules. The bench
 * then measures the plugin, not a TypeScript transform loaded into the same
 * process (SWC and its module-hook thread add about 50 MB of RSS). It is
 * compiled afresh on every run, so it always measures the current sources.
 */
const { spawn } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
// esbuild is in the repository's lockfile (examples/e2e, and @backstage/cli's
// own build); declaring it here is left to a lockfile update.
const esbuild = require('esbuild');

const [bench, ...args] = process.argv.slice(2);
if (!bench) {
  console.error('usage: node bench/runCompiled.js <bench> [args]');
  process.exit(2);
}

const benchDir = __dirname;
const outDir = resolve(benchDir, '../node_modules/.cache/mlops-bench');
// Workspace packages are TypeScript sources: bundled (a plain .js file of
// theirs, such as the process watchdog, runs as it is). Everything else
// stays a require() of the installed package, as in a built backend.
const isWorkspaceSource = path =>
  /^@(eks-mlops|internal)\//.test(path) && !path.endsWith('.js');
const workspaceSourcesBundled = {
  name: 'external-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, ({ path }) =>
      isWorkspaceSource(path) ? undefined : { external: true },
    );
  },
};

async function main() {
  await esbuild.build({
    // Every bench script: the bench and the processes it starts.
    entryPoints: readdirSync(benchDir)
      .filter(file => file.endsWith('.ts'))
      .map(file => join(benchDir, file)),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    logLevel: 'warning',
    plugins: [workspaceSourcesBundled],
  });
  const child = spawn(
    process.execPath,
    [join(outDir, `${bench}.js`), ...args],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
