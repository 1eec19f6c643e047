import { spawn } from 'node:child_process';
import path from 'node:path';
import { isRunning, survivors } from './processState';

jest.setTimeout(60_000);

const OWNER = path.join(__dirname, '__fixtures__/processOwner.ts');
const NODE_TRANSFORM = require.resolve(
  '@backstage/cli/config/nodeTransform.cjs',
);
/** The stubborn group's grace: long enough to see it outlive SIGTERM on a busy machine. */
const GRACE_MS = 3_000;

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

interface Owned {
  /** Children that end on SIGTERM. */
  obedient: number[];
  /** A group that ignores SIGTERM. */
  stubborn: number[];
  /** The watchdog the command started, as the command itself found it. */
  watchdog: number;
}

/** Starts the fixture command; resolves with its children and watchdog once it has printed them, and its exit. */
async function startOwner(
  mode: 'wait' | 'exit' | 'throw',
  stubbornGraceMs = GRACE_MS,
) {
  const owner = spawn(
    process.execPath,
    ['--require', NODE_TRANSFORM, OWNER, mode, String(stubbornGraceMs)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(owner.pid!);
  const exit = new Promise<{ code: number | null; signal: string | null }>(
    resolve => owner.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pids = await new Promise<Owned>((resolve, reject) => {
    let output = '';
    owner.stdout.on('data', chunk => {
      output += chunk;
      const line = /^\{.*\}$/m.exec(output);
      if (line) resolve(JSON.parse(line[0]));
    });
    // 'close', not 'exit': the output may still be arriving when 'exit' fires.
    owner.once('close', code =>
      reject(new Error(`exited with ${code} before printing its children`)),
    );
  });
  started.push(...pids.obedient, ...pids.stubborn, pids.watchdog);
  return { owner, pids, exit };
}

/**
 * Every owned process gone: the obedient ones at once, the stubborn group
 * only after its grace; then the watchdog, its work done, at once too.
 */
async function expectStoppedInTurn(pids: Owned) {
  expect(await survivors(pids.obedient)).toEqual([]);
  expect(pids.stubborn.every(isRunning)).toBe(true);
  expect(await survivors(pids.stubborn, GRACE_MS + 10_000)).toEqual([]);
  expect(await survivors([pids.watchdog], 1_000)).toEqual([]);
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
      expect([...pids.obedient, ...pids.stubborn].every(isRunning)).toBe(true);

      owner.kill(signal);

      expect(await exit).toEqual({ code, signal: null });
      await expectStoppedInTurn(pids);
    },
  );

  it('stop them when the command calls process.exit', async () => {
    const { pids, exit } = await startOwner('exit');

    expect(await exit).toEqual({ code: 0, signal: null });
    await expectStoppedInTurn(pids);
  });

  it('stop them when the command dies of an uncaught error', async () => {
    const { pids, exit } = await startOwner('throw');

    expect(await exit).toEqual({ code: 1, signal: null });
    await expectStoppedInTurn(pids);
  });

  it('leave no watchdog behind once they have ended, whether or not their zombies are reaped yet', async () => {
    // The stubborn group gets SIGKILL at the watchdog's first look; the others
    // end on SIGTERM and, orphaned, wait as zombies until pid 1 reaps them.
    const { pids, exit } = await startOwner('exit', 0);

    expect(await exit).toEqual({ code: 0, signal: null });
    expect(await survivors([...pids.obedient, ...pids.stubborn])).toEqual([]);
    expect(await survivors([pids.watchdog], 500)).toEqual([]);
  });

  it('stop them when the command is killed with SIGKILL, which no handler sees', async () => {
    const { owner, pids, exit } = await startOwner('wait');

    owner.kill('SIGKILL');

    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
    await expectStoppedInTurn(pids);
  });
});
