import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

jest.setTimeout(60_000);

const OWNER = path.join(__dirname, '__fixtures__/processOwner.ts');
const NODE_TRANSFORM = require.resolve(
  '@backstage/cli/config/nodeTransform.cjs',
);

/** Running, not a zombie (an orphan's zombie may never be reaped where pid 1 does not reap). */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The processes still running once all have gone or 10 s have passed. */
async function survivors(pids: number[]): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  while (pids.some(isRunning) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return pids.filter(isRunning);
}

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** Starts the fixture command; resolves with its children once it has printed them, and its exit. */
async function startOwner(mode: 'wait' | 'exit' | 'throw') {
  const owner = spawn(
    process.execPath,
    ['--require', NODE_TRANSFORM, OWNER, mode],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(owner.pid!);
  const exit = new Promise<{ code: number | null; signal: string | null }>(
    resolve => owner.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pids = await new Promise<number[]>((resolve, reject) => {
    let output = '';
    owner.stdout.on('data', chunk => {
      output += chunk;
      const line = /^\{.*\}$/m.exec(output);
      if (line) resolve(JSON.parse(line[0]).pids);
    });
    // 'close', not 'exit': the output may still be arriving when 'exit' fires.
    owner.once('close', code =>
      reject(new Error(`exited with ${code} before printing its children`)),
    );
  });
  started.push(...pids);
  return { owner, pids, exit };
}

describe('ownUntilExit and exitOnSignals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    'stop the owned processes when the command alone gets %s',
    async (signal, code) => {
      const { owner, pids, exit } = await startOwner('wait');
      expect(pids.every(isRunning)).toBe(true);

      owner.kill(signal);

      expect(await exit).toEqual({ code, signal: null });
      expect(await survivors(pids)).toEqual([]);
    },
  );

  it('stop them when the command calls process.exit', async () => {
    const { pids, exit } = await startOwner('exit');

    expect(await exit).toEqual({ code: 0, signal: null });
    expect(await survivors(pids)).toEqual([]);
  });

  it('stop them when the command dies of an uncaught error', async () => {
    const { pids, exit } = await startOwner('throw');

    expect(await exit).toEqual({ code: 1, signal: null });
    expect(await survivors(pids)).toEqual([]);
  });
});
