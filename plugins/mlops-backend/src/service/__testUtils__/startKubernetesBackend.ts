import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeExit, stopProcess } from '@internal/local-processes';

/** One cluster of the Kubernetes plugin's `config` locator. */
export interface KubernetesCluster {
  name: string;
  url: string;
}

export interface RunningKubernetesBackend {
  /** `http://127.0.0.1:<port>/api/kubernetes`, what discovery returns for `kubernetes`. */
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the real Kubernetes backend plugin in a child process (see
 * kubernetesBackendMain.ts for why not in Jest), with a `config` cluster
 * locator over `clusters` (service-account auth; any token does for the test
 * double).
 */
export async function startKubernetesBackend(
  clusters: KubernetesCluster[],
): Promise<RunningKubernetesBackend> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-k8s-'));
  const configFile = path.join(directory, 'config.json');
  await fs.writeFile(
    configFile,
    JSON.stringify({
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: clusters.map(cluster => ({
              ...cluster,
              authProvider: 'serviceAccount',
              serviceAccountToken: 'test-double-token',
              skipMetricsLookup: true,
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
      path.join(__dirname, 'kubernetesBackendMain.ts'),
      configFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = async () => {
    await stopProcess(child);
    await fs.rm(directory, { recursive: true, force: true });
  };
  let output = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('not started within 60 s')),
        60_000,
      );
      child.stdout!.on('data', chunk => {
        output += chunk;
        const match = /listening (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.stderr!.on('data', chunk => (output += chunk));
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`the Kubernetes backend ${describeExit(child)}`));
      });
    });
    return { baseUrl: `http://127.0.0.1:${port}/api/kubernetes`, stop };
  } catch (error) {
    await stop();
    throw new Error(
      `the Kubernetes backend did not start: ${error}\n${output.slice(-4000)}`,
    );
  }
}
