/*
 * A command that owns children the way `yarn ml-service:verify` owns moto and
 * the generated model server: a plain child; a detached process group with a
 * grandchild; and a process group that ignores SIGTERM (so only SIGKILL,
 * after the grace period given as second argument, ends it). Prints their pids
 * and its watchdog's as one JSON line, then, by its first argument: waits for
 * a signal (`wait`), exits (`exit`) or throws (`throw`).
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitOnSignals, ownUntilExit } from '../ownedProcesses';
import { watchdogOf } from '../processState';

const [mode, graceMs] = process.argv.slice(2);
exitOnSignals();
const plain = spawn('sleep', ['600'], { stdio: 'ignore' });
ownUntilExit(plain);
const group = spawn('sh', ['-c', 'sleep 600 & echo $!; wait'], {
  detached: true,
  stdio: ['ignore', 'pipe', 'ignore'],
});
ownUntilExit(group, { group: true });
const stubborn = spawn(
  'sh',
  ['-c', 'trap "" TERM; sleep 600 & echo $!; wait'],
  {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  },
);
ownUntilExit(stubborn, { group: true, graceMs: Number(graceMs) });

const firstLine = (child: typeof group) =>
  new Promise<number>(resolve =>
    child.stdout!.once('data', chunk => resolve(Number(String(chunk).trim()))),
  );
/**
 * The watchdog this command started, once it runs processWatchdog.js. Looked
 * for here, while this command is its parent: a test looking from outside
 * could lose the race with `exit` mode, whose exit hands the watchdog to pid 1.
 */
async function ownWatchdog(): Promise<number> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const watchdog = watchdogOf(process.pid);
    if (watchdog) return watchdog;
    await sleep(50);
  }
  throw new Error('no watchdog started');
}

Promise.all([firstLine(group), firstLine(stubborn), ownWatchdog()]).then(
  ([grandchild, stubbornChild, watchdog]) => {
    const pids = {
      obedient: [plain.pid, group.pid, grandchild],
      stubborn: [stubborn.pid, stubbornChild],
      watchdog,
    };
    process.stdout.write(`${JSON.stringify(pids)}\n`);
    if (mode === 'exit') process.exit(0);
    if (mode === 'throw') throw new Error('failed on purpose');
    setInterval(() => {}, 60_000);
  },
);
