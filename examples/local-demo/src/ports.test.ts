import { freePort, hasExited } from '@internal/local-processes';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { assertPortsFree, PortsInUseError } from './ports';

// Starts a second Node process, which can take seconds on a busy two-core CI machine.
jest.setTimeout(30_000);

/** A real listener in another process, on loopback only, as a leftover dev server would be. */
async function listenInAnotherProcess(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(child.stdout!, 'data');
  return child;
}

describe('assertPortsFree', () => {
  let holder: ChildProcess | undefined;

  afterEach(async () => {
    if (holder && !hasExited(holder)) {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    holder = undefined;
  });

  it('passes when nothing listens on the ports', async () => {
    await expect(
      assertPortsFree([
        { port: await freePort(), purpose: 'the backend' },
        { port: await freePort(), purpose: 'the app development server' },
      ]),
    ).resolves.toBeUndefined();
  });

  it('names the taken port, its purpose and the process holding it', async () => {
    const takenPort = await freePort();
    const free = await freePort();
    holder = await listenInAnotherProcess(takenPort);

    const failure = assertPortsFree([
      { port: free, purpose: 'the backend' },
      { port: takenPort, purpose: 'the app development server' },
    ]);

    await expect(failure).rejects.toThrow(PortsInUseError);
    await expect(failure).rejects.toThrow(
      new RegExp(
        `^port ${takenPort} \\(the app development server\\) is in use by pid ${holder.pid} \\(.*node -e .*\\)\\nStop that process`,
      ),
    );
    await expect(failure).rejects.not.toThrow(`port ${free}`);
  });

  it('finds the port taken again once the holder is gone', async () => {
    const port = await freePort();
    holder = await listenInAnotherProcess(port);
    await expect(
      assertPortsFree([{ port, purpose: 'the backend' }]),
    ).rejects.toThrow(`port ${port} (the backend) is in use`);

    holder.kill('SIGKILL');
    await once(holder, 'exit');

    await expect(
      assertPortsFree([{ port, purpose: 'the backend' }]),
    ).resolves.toBeUndefined();
  });
});
