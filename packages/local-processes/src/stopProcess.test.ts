import { spawn } from 'node:child_process';
import { stopProcess } from './stopProcess';
import { survivors } from './processState';

/** A shell that prints its background sleep's pid, then waits for it. */
function shellWithSleep(script: string) {
  const child = spawn('sh', ['-c', `${script}sleep 600 & echo $!; wait`], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  const sleepPid = new Promise<number>(resolve =>
    child.stdout!.once('data', chunk => resolve(Number(String(chunk).trim()))),
  );
  return { child, sleepPid };
}

describe('stopProcess', () => {
  it('resolves once a process that ends on SIGTERM has exited', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });

    await stopProcess(child, { graceMs: 10_000 });

    expect(child.signalCode).toBe('SIGTERM');
  });

  it('sends SIGKILL to a process that ignores SIGTERM once its grace is over', async () => {
    const child = spawn(
      'sh',
      ['-c', 'trap "" TERM; echo ready; exec sleep 600'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    await new Promise(resolve => child.stdout!.once('data', resolve));
    const started = Date.now();

    await stopProcess(child, { graceMs: 300 });

    expect(child.signalCode).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('resolves at once for a process that has already exited', async () => {
    const child = spawn('true');
    await new Promise(resolve => child.once('exit', resolve));

    await expect(stopProcess(child)).resolves.toBeUndefined();
  });

  it('resolves at once for a command that could not be started', async () => {
    const child = spawn('no-such-command-for-stop-process');
    await new Promise(resolve => child.once('error', resolve));

    await expect(stopProcess(child)).resolves.toBeUndefined();
  });

  it('with group, stops the whole process group, grandchildren included', async () => {
    const { child, sleepPid } = shellWithSleep('');
    const grandchild = await sleepPid;

    await stopProcess(child, { group: true, graceMs: 10_000 });

    expect(await survivors([child.pid!, grandchild])).toEqual([]);
  });

  it('with group, kills a group that ignores SIGTERM once its grace is over', async () => {
    const { child, sleepPid } = shellWithSleep("trap '' TERM; ");
    const grandchild = await sleepPid;
    const started = Date.now();

    await stopProcess(child, { group: true, graceMs: 300 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await survivors([child.pid!, grandchild])).toEqual([]);
  });

  it('without group, leaves the rest of the group alone', async () => {
    const { child, sleepPid } = shellWithSleep('');
    const grandchild = await sleepPid;

    try {
      await stopProcess(child, { graceMs: 10_000 });

      expect(await survivors([grandchild], 300)).toEqual([grandchild]);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
