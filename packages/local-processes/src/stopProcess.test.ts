import { spawn } from 'node:child_process';
import { stopProcess } from './stopProcess';

describe('stopProcess', () => {
  it('resolves once a process that ends on SIGTERM has exited', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });

    await stopProcess(child, 10_000);

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

    await stopProcess(child, 300);

    expect(child.signalCode).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('resolves at once for a process that has already exited', async () => {
    const child = spawn('true');
    await new Promise(resolve => child.once('exit', resolve));

    await expect(stopProcess(child)).resolves.toBeUndefined();
  });
});
