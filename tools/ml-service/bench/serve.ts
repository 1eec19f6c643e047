/*
 * yarn bench:serve [--duration <s>] [--configs default,sklearn] — renders the
 * classification example, installs its virtualenv, then runs
 * templates/ml-service/bench/serve.py against it: the generated server on one
 * uvicorn worker, as configured and with FAST_PREDICT=false, each against the
 * predict-only limit of its own predict call, a naive FastAPI handler and a
 * server that does no work (the loopback floor). Further arguments go to
 * serve.py (`--help` lists them).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import {
  exitOnSignals,
  ownUntilExit,
  signalExitCode,
} from '@internal/local-processes';
import os from 'node:os';
import path from 'node:path';
import { DryRunRenderer } from '../src/DryRunRenderer';
import { DEFAULT_TEMPLATE_DIR, renderWith, writeFiles } from '../src/render';
import { readTemplateDirectory } from '../src/templateDirectory';
import { readValuesFile } from '../src/values';
import { mustSucceed } from '../src/verify/exec';
import { pipEnvironment } from '../src/verify/python';

const VALUES = path.resolve(
  DEFAULT_TEMPLATE_DIR,
  '../../examples/values/classification-new-eu.yaml',
);

async function renderRepository(): Promise<string> {
  const renderer = await DryRunRenderer.start();
  try {
    const result = await renderWith(
      renderer,
      await readTemplateDirectory(DEFAULT_TEMPLATE_DIR),
      await readValuesFile(VALUES),
    );
    const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-serve-'));
    await writeFiles(outDir, result);
    return outDir;
  } finally {
    await renderer.stop();
  }
}

async function main() {
  const repoDir = await renderRepository();
  process.once('exit', () => rmSync(repoDir, { recursive: true, force: true }));
  console.log(
    `rendered ${path.basename(
      VALUES,
    )} into ${repoDir}; installing its virtualenv…`,
  );
  await mustSucceed('make', ['install'], {
    cwd: repoDir,
    env: await pipEnvironment(),
    timeoutMs: 900_000,
  });
  const bench = path.join(DEFAULT_TEMPLATE_DIR, 'bench', 'serve.py');
  // Its own process group (with the servers it starts), stopped with this
  // process however it ends; a signal to this process alone stops it too.
  const child = spawn('python3', [bench, repoDir, ...process.argv.slice(2)], {
    stdio: 'inherit',
    detached: true,
  });
  ownUntilExit(child, { group: true });
  const status = await new Promise<number>(resolve =>
    child.once('exit', (code, signal) =>
      resolve(code ?? (signal ? signalExitCode(signal) : 2)),
    ),
  );
  process.exit(status);
}

exitOnSignals();
main().catch(error => {
  console.error(error);
  process.exit(2);
});
