/*
 * A command that owns children the way `yarn ml-service:verify` owns moto and
 * the generated model server: a plain child; a detached process group with a
 * grandchild; and a process group that ignores SIGTERM (so only SIGKILL,
 * after the grace period given as second argument, ends it). Prints their pids as one
 * JSON line, then, by its first argument: waits for a signal (`wait`), exits
 * (`exit`) or throws (`throw`).
 */
import { spawn } from 'node:child_process';
import { exitOnSignals, ownUntilExit } from '../ownedProcesses';

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
Promise.all([firstLine(group), firstLine(stubborn)]).then(
  ([grandchild, stubbornChild]) => {
    const pids = {
      obedient: [plain.pid, group.pid, grandchild],
      stubborn: [stubborn.pid, stubbornChild],
    };
    process.stdout.write(`${JSON.stringify(pids)}\n`);
    if (mode === 'exit') process.exit(0);
    if (mode === 'throw') throw new Error('failed on purpose');
    setInterval(() => {}, 60_000);
  },
);
