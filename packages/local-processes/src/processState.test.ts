import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describeExit, hasExited } from './processState';

describe('hasExited and describeExit', () => {
  it('is false while the child runs, true once it has exited', async () => {
    const child = spawn('sh', ['-c', 'read line'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    expect(hasExited(child)).toBe(false);

    child.stdin!.end('\n');
    await once(child, 'exit');

    expect(child.exitCode).toBe(0);
    expect(hasExited(child)).toBe(true);
    expect(describeExit(child)).toBe('exited with code 0');
  });

  it('is true once a signal ended the child, whose exitCode stays null', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    expect(hasExited(child)).toBe(false);

    child.kill('SIGKILL');
    await once(child, 'exit');

    expect(child.exitCode).toBeNull();
    expect(hasExited(child)).toBe(true);
    expect(describeExit(child)).toBe('was ended by SIGKILL');
  });
});
