import { survivors } from '@internal/local-processes';
import { exec, mustSucceed } from './exec';

jest.setTimeout(30_000);

describe('exec', () => {
  it('captures stdout and stderr together, and the exit code', async () => {
    const result = await exec('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(result.code).toBe(3);
    expect(result.output).toContain('out\n');
    expect(result.output).toContain('err\n');
  });

  it('ends the whole process tree when the command times out', async () => {
    // The shell's background child holds the output pipe open: killing the
    // shell alone would leave it running, and the call waiting for it.
    const result = await exec('sh', ['-c', 'sleep 600 & echo $!; wait'], {
      timeoutMs: 500,
    });

    expect(result.output).toContain('(timed out after 500 ms)');
    const grandchild = Number(result.output.split('\n')[0]);
    expect(await survivors([grandchild])).toEqual([]);
  });

  it('reports a command that cannot run', async () => {
    const result = await exec('/nonexistent/command', []);
    expect(result.code).toBe(127);
    await expect(mustSucceed('/nonexistent/command', [])).rejects.toThrow(
      /\/nonexistent\/command exited with 127:\n.*ENOENT/,
    );
  });
});
