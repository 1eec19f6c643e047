/*
 * yarn bench:render — median wall time of one full dry-run render of the
 * ml-service template through the real scaffolder backend (10 runs, after
 * one warm-up), beside the one-off backend start-up.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DryRunRenderer } from '../src/DryRunRenderer';
import { DEFAULT_TEMPLATE_DIR, renderWith } from '../src/render';
import { readTemplateDirectory } from '../src/templateDirectory';
import { readValuesFile } from '../src/values';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const VALUES = path.resolve(
  __dirname,
  '../../../examples/values/classification-new-eu.yaml',
);

function median(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const values = await readValuesFile(VALUES);
  let start = performance.now();
  const renderer = await DryRunRenderer.start();
  const startup = performance.now() - start;
  try {
    const samples: number[] = [];
    let files = 0;
    for (let i = -1; i < RUNS; i++) {
      start = performance.now();
      // Each run reads the template folder too, as `yarn ml-service:render` does.
      const template = await readTemplateDirectory(DEFAULT_TEMPLATE_DIR);
      const result = await renderWith(renderer, template, values);
      const elapsed = performance.now() - start;
      files = result.files.length;
      if (i >= 0) {
        samples.push(elapsed);
      }
    }
    const sorted = [...samples].sort((a, b) => a - b);
    console.log(
      `bench:render — ${path.basename(
        VALUES,
      )} (${files} files, 3 environments), Node ${process.version}`,
    );
    console.log(
      `backend start-up (once)   ${startup.toFixed(0).padStart(6)} ms`,
    );
    console.log(
      `render, median of ${samples.length}      ${median(samples)
        .toFixed(0)
        .padStart(6)} ms   ` +
        `(min ${sorted[0].toFixed(0)} ms, max ${sorted[
          sorted.length - 1
        ].toFixed(0)} ms; goal ≤ 1000 ms)`,
    );
  } finally {
    await renderer.stop();
  }
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
