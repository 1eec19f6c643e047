/*
 * A command that owns two children the way `yarn ml-service:verify` owns
 * moto and the generated model server: a plain child, and a detached process
 * group with a grandchild. Prints their pids as one JSON line, then, by its
 * argument: waits for a signal (`wait`), exits (`exit`) or throws (`throw`).
 */
import { spawn } from 'node:child_process';
import { exitOnSignals, ownUntilExit } from '../ownedProcesses';

const mode = process.argv[2];
exitOnSignals();
const plain = spawn('sleep', ['600'], { stdio: 'ignore' });
ownUntilExit(plain);
const group = spawn('sh', ['-c', 'sleep 600 & echo $!; wait'], {
  detached: true,
  stdio: ['ignore', 'pipe', 'ignore'],
});
ownUntilExit(group, { group: true });
group.stdout!.once('data', chunk => {
  const grandchild = Number(String(chunk).trim());
  process.stdout.write(
    `${JSON.stringify({ pids: [plain.pid, group.pid, grandchild] })}\n`,
  );
  if (mode === 'exit') process.exit(0);
  if (mode === 'throw') throw new Error('failed on purpose');
  setInterval(() => {}, 60_000);
});
