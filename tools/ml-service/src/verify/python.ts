import fs from 'node:fs/promises';
import path from 'node:path';
import { runMake, startGeneratedServer } from '../generatedServer';
import { Check } from './types';

export { pipEnvironment } from './pipEnvironment';

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
async function serveAndQuery(repoDir: string) {
  const server = await startGeneratedServer(repoDir);
  const { modelName, url: base } = server;
  try {
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
    await server.stop();
  }
}

export async function pythonChecks(repoDir: string): Promise<Check[]> {
  const make =
    (target: string, timeoutMs = 600_000) =>
    () =>
      runMake(repoDir, target, timeoutMs);
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
      run: () => serveAndQuery(repoDir),
    },
  ];
}
