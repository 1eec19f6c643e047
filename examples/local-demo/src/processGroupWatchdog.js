/*
 * Stops the process groups a demo process started when that process dies
 * without stopping them: killed with SIGKILL (by a user, a CI runner's cancel,
 * `timeout -s KILL`) or by the kernel's OOM killer, which no handler sees.
 *
 * processes.ts starts it once per process, in a process group of its own (a
 * signal to the demo's group does not reach it), with its stdin a pipe from
 * that process: "+<pgid>" when a group starts, "-<pgid>" when its leader has
 * exited. The pipe closes when the process exits, however it exits; every
 * group still listed and still running then gets SIGTERM, and SIGKILL once the
 * grace period (the first argument, in milliseconds) is over. After an orderly
 * stop the list is empty and it just exits.
 *
 * Plain JavaScript, so starting it loads no TypeScript transform.
 */
const readline = require('node:readline');

const graceMs = Number(process.argv[2]);
const groups = new Set();

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const isRunning = pgid => signalGroup(pgid, 0);

async function stopGroups() {
  const running = [...groups].filter(isRunning);
  running.forEach(pgid => signalGroup(pgid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  while (running.some(isRunning) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  running.forEach(pgid => signalGroup(pgid, 'SIGKILL'));
}

readline
  .createInterface({ input: process.stdin })
  .on('line', line => {
    const match = /^([+-])(\d+)$/.exec(line);
    if (!match) return;
    const pgid = Number(match[2]);
    if (match[1] === '+') groups.add(pgid);
    else groups.delete(pgid);
  })
  .on('close', () => stopGroups().finally(() => process.exit(0)));
