import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { freePort } from '../freePort';
import path from 'node:path';
import yaml from 'yaml';
import { exec, mustSucceed } from './exec';
import { Check } from './types';

/**
 * pip settings for `make install`: where pip is configured with package
 * mirrors only as extra indexes, use the first as the index so that pip does
 * not wait on an unreachable default index. Read at run time from pip itself.
 */
export async function pipEnvironment(): Promise<NodeJS.ProcessEnv> {
  if (process.env.PIP_INDEX_URL) {
    return {};
  }
  const { code, output } = await exec('python3', [
    '-m',
    'pip',
    'config',
    'get',
    'global.extra-index-url',
  ]);
  const indexes = code === 0 ? output.trim().split(/\s+/).filter(Boolean) : [];
  if (indexes.length === 0) {
    return {};
  }
  return {
    PIP_INDEX_URL: indexes[0],
    PIP_EXTRA_INDEX_URL: indexes.slice(1).join(' '),
  };
}

async function waitForReady(
  url: string,
  server: ChildProcess,
  log: () => string,
) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(
        `server exited with ${server.exitCode}:\n${log().slice(-1500)}`,
      );
    }
    const res = await fetch(url).catch(() => undefined);
    if (res?.ok) {
      return;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`server not ready within 60 s:\n${log().slice(-1500)}`);
}

async function postJson(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (!res.ok) {
    throw new Error(`POST ${url} → ${res.status} ${JSON.stringify(json)}`);
  }
  return json;
}

/** Starts `make serve`, then speaks both protocols to it over HTTP. */
async function serveAndQuery(repoDir: string, modelName: string) {
  const port = await freePort();
  const server = spawn('make', ['serve'], {
    cwd: repoDir,
    // Only what the generated server documents; LOG_LEVEL of the caller may mean something else.
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  server.stdout?.on('data', c => (log += c));
  server.stderr?.on('data', c => (log += c));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(`${base}/v2/health/ready`, server, () => log);
    const metadata = (await (
      await fetch(`${base}/v2/models/${modelName}`)
    ).json()) as any;
    const input = metadata.inputs?.[0];
    const width = input?.shape?.[input.shape.length - 1];
    if (!input || !(width > 0)) {
      throw new Error(
        `model metadata lacks an input shape: ${JSON.stringify(metadata)}`,
      );
    }
    const row = Array.from({ length: width }, (_, i) => (i % 7) / 7);
    const v2 = await postJson(`${base}/v2/models/${modelName}/infer`, {
      id: 'verify-1',
      inputs: [
        {
          name: input.name,
          shape: [1, width],
          datatype: input.datatype,
          data: row,
        },
      ],
    });
    if (v2.id !== 'verify-1' || v2.outputs?.[0]?.data?.length !== 1) {
      throw new Error(`unexpected V2 answer: ${JSON.stringify(v2)}`);
    }
    const v1 = await postJson(`${base}/v1/models/${modelName}:predict`, {
      instances: [row],
    });
    if (v1.predictions?.length !== 1) {
      throw new Error(`unexpected V1 answer: ${JSON.stringify(v1)}`);
    }
  } finally {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** The model name the catalog entity announces (`mlops/model-name`), which the server must serve. */
async function readModelName(repoDir: string): Promise<string> {
  const text = await fs.readFile(
    path.join(repoDir, 'catalog-info.yaml'),
    'utf8',
  );
  const component = yaml
    .parseAllDocuments(text)
    .map(doc => doc.toJS())
    .find(entity => entity?.kind === 'Component');
  const name =
    component?.metadata?.annotations?.['mlops/model-name'] ??
    component?.metadata?.name;
  if (!name) {
    throw new Error('catalog-info.yaml has no Component with mlops/model-name');
  }
  return String(name);
}

export async function pythonChecks(repoDir: string): Promise<Check[]> {
  const env = await pipEnvironment();
  const make =
    (target: string, timeoutMs = 600_000) =>
    () =>
      mustSucceed('make', [target], { cwd: repoDir, env, timeoutMs }).then(
        () => undefined,
      );
  return [
    {
      name: 'python venv + pinned requirements (make install)',
      run: make('install', 900_000),
    },
    { name: 'ruff (make lint)', run: make('lint') },
    { name: 'pytest (make test)', run: make('test') },
    {
      name: 'training (make train)',
      run: async () => {
        await make('train')();
        const metrics = JSON.parse(
          await fs.readFile(
            path.join(repoDir, 'artifacts', 'metrics.json'),
            'utf8',
          ),
        );
        if (metrics.passed !== true) {
          throw new Error(
            `metrics.json does not report a passed quality gate: ${JSON.stringify(
              metrics,
            )}`,
          );
        }
      },
    },
    {
      name: 'serving over HTTP (make serve: V2 infer, V1 predict)',
      run: async () => serveAndQuery(repoDir, await readModelName(repoDir)),
    },
  ];
}
