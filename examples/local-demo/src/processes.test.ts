import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { isRunning, survivors, watchdogOf } from '@internal/local-processes';
import { startProcess } from './processes';

const SUPERVISOR = path.join(__dirname, '__fixtures__/supervisor.ts');
const NODE_TRANSFORM = require.resolve(
  '@backstage/cli/config/nodeTransform.cjs',
);
const SUPERVISOR_COMMAND = [
  process.execPath,
  '--require',
  NODE_TRANSFORM,
  SUPERVISOR,
];

async function eventually<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** Everything a test started, killed after it whatever happened. */
const started = new Set<number>();

function signalIfRunning(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

afterEach(() => {
  for (const pid of started) {
    signalIfRunning(pid, 'SIGKILL');
  }
  started.clear();
});

interface Supervisor {
  process: ChildProcess;
  pid: number;
  pids: number[];
  watchdog: number;
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a command whose output includes the supervisor's JSON line, in its own process group. */
async function launch(command: string, args: string[]): Promise<Supervisor> {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child.pid!);
  let output = '';
  child.stdout.on('data', chunk => {
    output += chunk;
  });
  child.stderr.on('data', chunk => {
    output += chunk;
  });
  const exit = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>(resolve =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = await eventually(
    'the supervisor to report its trees',
    () => output.match(/^\{.*\}$/m)?.[0],
    30_000,
  );
  const { supervisor, pids } = JSON.parse(ready) as {
    supervisor: number;
    pids: number[];
  };
  const watchdog = await eventually('its watchdog', () =>
    watchdogOf(supervisor),
  );
  for (const pid of [supervisor, watchdog, ...pids]) {
    started.add(pid);
  }
  expect(pids).toHaveLength(6);
  expect(pids.every(isRunning)).toBe(true);
  return {
    process: child,
    pid: supervisor,
    pids,
    watchdog,
    output: () => output,
    exit,
  };
}

describe('startProcess', () => {
  it('starts a process whose stop ends its whole tree, grandchildren included', async () => {
    const tree = startProcess('tree', 'sh', [
      '-c',
      'sleep 600 & echo $!; sleep 600 & echo $!; wait',
    ]);
    started.add(tree.child.pid!);
    const grandchildren = await eventually('both sleeps', () => {
      const lines = tree.output().trim().split('\n');
      return lines.length === 2 ? lines.map(Number) : undefined;
    });

    await tree.stop();

    expect(await survivors([tree.child.pid!, ...grandchildren])).toEqual([]);
  });
});

describe('stopEverythingOnShutdown', () => {
  jest.setTimeout(60_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    'stops every tree when the process group gets %s (as timeout does)',
    async (signal, exitCode) => {
      const supervisor = await launch(
        SUPERVISOR_COMMAND[0],
        SUPERVISOR_COMMAND.slice(1),
      );

      process.kill(-supervisor.pid, signal);

      expect(await supervisor.exit).toEqual({ code: exitCode, signal: null });
      expect(supervisor.output()).toContain('orderly stop');
      expect(
        await survivors([...supervisor.pids, supervisor.watchdog]),
      ).toEqual([]);
    },
  );

  it('stops every tree when only the top process gets SIGTERM', async () => {
    const supervisor = await launch(
      SUPERVISOR_COMMAND[0],
      SUPERVISOR_COMMAND.slice(1),
    );

    process.kill(supervisor.pid, 'SIGTERM');

    expect(await supervisor.exit).toEqual({ code: 143, signal: null });
    expect(await survivors(supervisor.pids)).toEqual([]);
  });

  it('finishes stopping when SIGTERM arrives again while it stops (one per yarn layer)', async () => {
    const supervisor = await launch(
      SUPERVISOR_COMMAND[0],
      SUPERVISOR_COMMAND.slice(1),
    );

    // The tree that ignores SIGTERM keeps the stop going for its grace period (1 s), so the
    // later ones arrive in the middle of it.
    for (let i = 0; i < 4; i++) {
      signalIfRunning(-supervisor.pid, 'SIGTERM');
      await new Promise(resolve => setTimeout(resolve, 100));
    }

    expect(await supervisor.exit).toEqual({ code: 143, signal: null });
    expect(supervisor.output().match(/orderly stop/g)).toHaveLength(1);
    expect(await survivors(supervisor.pids)).toEqual([]);
  });

  it('stops every tree when its parent dies without passing a signal on', async () => {
    // As when the parent is killed with SIGKILL, or is a `sh -c` that exits on SIGTERM.
    const parent = await launch('sh', [
      '-c',
      `${SUPERVISOR_COMMAND.map(arg => `'${arg}'`).join(' ')} & wait`,
    ]);

    process.kill(parent.process.pid!, 'SIGKILL');

    expect(await survivors([parent.pid, ...parent.pids])).toEqual([]);
  });

  it('stops every tree when the process itself dies by SIGKILL, which no handler sees', async () => {
    // As when the OOM killer, a cancelled CI job or `timeout -s KILL` ends `yarn start`. The
    // tree that ignores SIGTERM goes once the supervisor's grace period (1 s) is over.
    const supervisor = await launch(
      SUPERVISOR_COMMAND[0],
      SUPERVISOR_COMMAND.slice(1),
    );

    process.kill(supervisor.pid, 'SIGKILL');

    expect(await supervisor.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await survivors([...supervisor.pids, supervisor.watchdog])).toEqual(
      [],
    );
  });
});
