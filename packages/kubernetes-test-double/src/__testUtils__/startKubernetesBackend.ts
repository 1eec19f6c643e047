import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import {
  describeExit,
  freePort,
  hasExited,
  stopProcess,
} from '@internal/local-processes';

/** A static external-access token; requests carry it as `Authorization: Bearer …`. */
export const BACKEND_TOKEN = 'kubernetes-test-double-static-token';

export interface KubernetesBackendCluster {
  name: string;
  url: string;
  skipMetricsLookup: boolean;
}

export interface RunningBackend {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts backendMain.ts in a child process with a config holding the given catalog entity (from a
 * file location) and clusters, and waits until the catalog has processed the entity.
 */
export async function startKubernetesBackend(options: {
  entity: { kind: string; metadata: { name: string; namespace?: string } };
  clusters: KubernetesBackendCluster[];
}): Promise<RunningBackend> {
  const directory = await fs.mkdtemp(
    path.join(os.tmpdir(), 'kubernetes-test-double-backend-'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const entityFile = path.join(directory, 'catalog-info.yaml');
  await fs.writeFile(entityFile, yaml.stringify(options.entity));
  const configFile = path.join(directory, 'app-config.yaml');
  await fs.writeFile(
    configFile,
    yaml.stringify({
      app: { baseUrl: 'http://127.0.0.1:3000' },
      backend: {
        baseUrl: url,
        listen: { host: '127.0.0.1', port },
        database: { client: 'better-sqlite3', connection: ':memory:' },
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: { token: BACKEND_TOKEN, subject: 'test' },
            },
          ],
        },
      },
      catalog: {
        rules: [{ allow: ['Component'] }],
        locations: [{ type: 'file', target: entityFile }],
      },
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: options.clusters.map(cluster => ({
              name: cluster.name,
              url: cluster.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: 'test',
              skipTLSVerify: true,
              skipMetricsLookup: cluster.skipMetricsLookup,
            })),
          },
        ],
      },
    }),
  );

  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(__dirname, 'backendMain.ts'),
      '--config',
      configFile,
    ],
    {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));

  const stop = async () => {
    await stopProcess(child);
    await fs.rm(directory, { recursive: true, force: true });
  };
  const { kind, metadata } = options.entity;
  const entityPath = `/api/catalog/entities/by-name/${kind.toLowerCase()}/${
    metadata.namespace ?? 'default'
  }/${metadata.name}`;
  try {
    await waitFor(async () => {
      if (hasExited(child)) {
        throw new Error(`the backend ${describeExit(child)}`);
      }
      const response = await fetch(`${url}${entityPath}`, {
        headers: { Authorization: `Bearer ${BACKEND_TOKEN}` },
      }).catch(() => undefined);
      return response?.status === 200;
    }, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${error}; backend output:\n${output.slice(-4000)}`);
  }
  return { url, stop };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`not ready within ${timeoutMs} ms`);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}
