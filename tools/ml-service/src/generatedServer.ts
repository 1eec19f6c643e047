import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import {
  describeExit,
  freePort,
  hasExited,
  ownUntilExit,
  stopProcess,
} from '@internal/local-processes';
import { mustSucceed } from './verify/exec';
import { pipEnvironment } from './verify/pipEnvironment';

/** A generated repository's model server started with `make serve`. */
export interface GeneratedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The model name the repository's catalog entity announces. */
  modelName: string;
  /** What the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** The Component document of a generated repository's catalog-info.yaml, if it has one. */
export async function readCatalogComponent(
  repoDir: string,
): Promise<Record<string, any> | undefined> {
  const text = await fs.readFile(
    path.join(repoDir, 'catalog-info.yaml'),
    'utf8',
  );
  return yaml
    .parseAllDocuments(text)
    .map(doc => doc.toJS())
    .find(entity => entity?.kind === 'Component');
}

/** The model name the catalog entity announces (`mlops/model-name`), which the server must serve. */
export async function readModelName(repoDir: string): Promise<string> {
  const component = await readCatalogComponent(repoDir);
  const name =
    component?.metadata?.annotations?.['mlops/model-name'] ??
    component?.metadata?.name;
  if (!name) {
    throw new Error('catalog-info.yaml has no Component with mlops/model-name');
  }
  return String(name);
}

/** `make <target>` in a generated repository, with the machine's pip settings. */
export async function runMake(
  repoDir: string,
  target: string,
  timeoutMs = 600_000,
): Promise<void> {
  const env = await pipEnvironment();
  await mustSucceed('make', [target], { cwd: repoDir, env, timeoutMs });
}

async function waitForReady(
  url: string,
  server: ChildProcess,
  log: () => string,
) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (hasExited(server)) {
      throw new Error(`server ${describeExit(server)}:\n${log().slice(-1500)}`);
    }
    const res = await fetch(url).catch(() => undefined);
    if (res?.ok) {
      return;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`server not ready within 60 s:\n${log().slice(-1500)}`);
}

/**
 * Starts `make serve` in an installed and trained repository and waits until
 * it reports ready. The server runs in its own process group; `stop` ends it,
 * and so does the end of this process, however it ends (ownUntilExit).
 */
export async function startGeneratedServer(
  repoDir: string,
  options: { port?: number } = {},
): Promise<GeneratedServer> {
  const port = options.port ?? (await freePort());
  const modelName = await readModelName(repoDir);
  const server = spawn('make', ['serve'], {
    cwd: repoDir,
    // Only what the generated server documents; LOG_LEVEL of the caller may mean something else.
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  ownUntilExit(server, { group: true });
  let output = '';
  server.stdout?.on('data', c => (output += c));
  server.stderr?.on('data', c => (output += c));
  const stop = () => stopProcess(server, { group: true });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(`${url}/v2/health/ready`, server, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, modelName, log: () => output, stop };
}
