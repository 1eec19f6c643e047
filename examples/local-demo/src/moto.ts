import { spawnSync } from 'node:child_process';
import { freePort } from '@internal/ml-service-tools';
import { ManagedProcess, startProcess, waitForHttp } from './processes';

/** moto answers for this account with any credentials. */
export const MOTO_ACCOUNT_ID = '123456789012';
export const MOTO_CREDENTIALS = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
};

/** `moto_server` from PATH (or MOTO_SERVER), else `python3 -m moto.server`. */
function motoCommand(): [string, string[]] {
  if (process.env.MOTO_SERVER) {
    return [process.env.MOTO_SERVER, []];
  }
  const onPath = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return onPath.status === 0
    ? ['moto_server', []]
    : ['python3', ['-m', 'moto.server']];
}

/** A moto server (the AWS emulator) on a free loopback port. */
export async function startMoto(): Promise<{
  endpoint: string;
  process: ManagedProcess;
}> {
  const port = await freePort();
  const [command, prefix] = motoCommand();
  const moto = startProcess('moto', command, [
    ...prefix,
    '-H',
    '127.0.0.1',
    '-p',
    String(port),
  ]);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForHttp(`${endpoint}/moto-api/data.json`, {
    timeoutMs: 30_000,
    process: moto,
  });
  return { endpoint, process: moto };
}
