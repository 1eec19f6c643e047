import { build, Plugin } from 'esbuild';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '@internal/local-demo';

const PLUGIN_DIR = path.join(REPO_ROOT, 'plugins/mlops-frontend');

/** Packages stay external, as the app shares them; our own packages are bundled. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, args =>
      args.path.startsWith('@eks-mlops/')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * Size of the frontend plugin's own code (legacy and /alpha entry points, its lazy chunks and
 * mlops-common), minified and gzipped as an app bundle would ship it; dependencies it shares with
 * the app (React, Material UI, Backstage packages) are left out.
 */
export async function pluginBundleSize(): Promise<{
  minified: number;
  gzipped: number;
}> {
  const result = await build({
    entryPoints: [
      path.join(PLUGIN_DIR, 'src/index.ts'),
      path.join(PLUGIN_DIR, 'src/alpha.ts'),
    ],
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    jsx: 'automatic',
    target: 'es2022',
    outdir: path.join(PLUGIN_DIR, 'dist-bench'),
    write: false,
    logLevel: 'silent',
    plugins: [externalPackages],
  });
  let minified = 0;
  let gzipped = 0;
  for (const file of result.outputFiles.filter(f => f.path.endsWith('.js'))) {
    minified += file.contents.byteLength;
    gzipped += gzipSync(file.contents, { level: 9 }).byteLength;
  }
  return { minified, gzipped };
}
