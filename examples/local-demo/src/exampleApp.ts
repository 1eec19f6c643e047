import fs from 'node:fs/promises';
import path from 'node:path';
import { EXAMPLES_DIR, REPO_ROOT } from './paths';
import {
  ManagedProcess,
  runToCompletion,
  startProcess,
  waitForHttp,
} from './processes';

const APP_DIR = path.join(EXAMPLES_DIR, 'app');
const BACKEND_DIR = path.join(EXAMPLES_DIR, 'backend');
/** What the production bundle is built from, besides node_modules. */
const APP_SOURCES = [
  path.join(APP_DIR, 'src'),
  path.join(APP_DIR, 'public'),
  path.join(APP_DIR, 'package.json'),
  path.join(REPO_ROOT, 'plugins/mlops-frontend/src'),
  path.join(REPO_ROOT, 'plugins/mlops-common/src'),
  path.join(REPO_ROOT, 'yarn.lock'),
];

/** yarn as the running yarn was invoked, else (under npm, or none) the `yarn` on PATH. */
function yarnCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  return execPath && /yarn[^/]*\.c?js$/.test(execPath)
    ? [process.execPath, [execPath]]
    : ['yarn', []];
}

function yarn(
  name: string,
  args: string[],
  cwd: string,
  echo: boolean,
): ManagedProcess {
  const [command, prefix] = yarnCommand();
  return startProcess(name, command, [...prefix, ...args], {
    cwd,
    echo,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

async function newestModification(target: string): Promise<number> {
  const stats = await fs.stat(target).catch(() => undefined);
  if (!stats) {
    return 0;
  }
  if (!stats.isDirectory()) {
    return stats.mtimeMs;
  }
  const entries = await fs.readdir(target, {
    recursive: true,
    withFileTypes: true,
  });
  let newest = stats.mtimeMs;
  for (const entry of entries.filter(e => e.isFile())) {
    const { mtimeMs } = await fs.stat(path.join(entry.parentPath, entry.name));
    newest = Math.max(newest, mtimeMs);
  }
  return newest;
}

/** Builds the app's production bundle unless it is newer than everything it is built from. */
export async function buildAppBundle(log: (line: string) => void) {
  const built = await newestModification(path.join(APP_DIR, 'dist/index.html'));
  const sources = await Promise.all(APP_SOURCES.map(newestModification));
  if (built > Math.max(...sources)) {
    return;
  }
  log('building the app bundle (about 30 s)');
  const [command, prefix] = yarnCommand();
  await runToCompletion('app build', command, [...prefix, 'build'], {
    cwd: APP_DIR,
  });
}

function configArgs(configFiles: string[]): string[] {
  return configFiles.flatMap(file => ['--config', file]);
}

/** `backstage-cli package start` of examples/backend, ready when its readiness check passes. */
export async function startBackend(options: {
  backendUrl: string;
  configFiles: string[];
  echo: boolean;
}): Promise<ManagedProcess> {
  const backend = yarn(
    'backend',
    ['start', ...configArgs(options.configFiles)],
    BACKEND_DIR,
    options.echo,
  );
  await waitForHttp(`${options.backendUrl}/.backstage/health/v1/readiness`, {
    timeoutMs: 180_000,
    process: backend,
  });
  return backend;
}

/** The app's development server (`backstage-cli package start`). */
export async function startAppDevServer(options: {
  appUrl: string;
  configFiles: string[];
  echo: boolean;
}): Promise<ManagedProcess> {
  const app = yarn(
    'app',
    ['start', ...configArgs(options.configFiles)],
    APP_DIR,
    options.echo,
  );
  await waitForHttp(options.appUrl, { timeoutMs: 300_000, process: app });
  return app;
}
