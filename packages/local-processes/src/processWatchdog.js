/*
 * Stops the processes a command owns (ownedProcesses.ts) when that command
 * dies without stopping them: killed with SIGKILL (by a user, a CI runner's
 * cancel, Jest ending a worker, `timeout -s KILL`) or by the kernel's OOM
 * killer, which no handler sees.
 *
 * ownedProcesses.ts starts it once per command, in a process group of its own
 * (a signal to the command's group does not reach it), with its stdin a pipe
 * from the command: "+<target> <graceMs>" when a process is owned, "-<target>"
 * once it has exited. A target is what process.kill takes: a pid, or minus a
 * process group's id for the whole group. The pipe closes when the command
 * exits, however it exits; every target still listed and still running then
 * gets SIGTERM, and SIGKILL once its grace period is over. After an orderly
 * stop the list is empty and the watchdog just exits.
 *
 * Plain JavaScript, so starting it loads no TypeScript transform.
 */
const fs = require('node:fs');
const readline = require('node:readline');

/** Target → grace period in milliseconds. */
const targets = new Map();

function signal(target, name) {
  try {
    process.kill(target, name);
    return true;
  } catch {
    return false;
  }
}

/** A process's state letter and process group, from /proc; undefined once it is gone. */
function stat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], group: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

const hasProc = fs.existsSync('/proc/self/stat');

/**
 * Whether a target still runs. Where /proc tells, an exited process that its
 * parent has not reaped yet (a zombie; the owner's children are orphans by
 * now, and not every pid 1 reaps) does not count.
 */
function isRunning(target) {
  if (!hasProc) return signal(target, 0);
  const runs = s => s !== undefined && s.state !== 'Z';
  if (target > 0) return runs(stat(target));
  return fs.readdirSync('/proc').some(entry => {
    if (!/^\d+$/.test(entry)) return false;
    const s = stat(entry);
    return s !== undefined && s.group === -target && runs(s);
  });
}

async function stopTargets() {
  const running = [...targets].filter(([target]) => isRunning(target));
  running.forEach(([target]) => signal(target, 'SIGTERM'));
  const started = Date.now();
  let waiting = running;
  while (waiting.length > 0) {
    await new Promise(resolve => setTimeout(resolve, 100));
    const elapsed = Date.now() - started;
    waiting = waiting.filter(([target, graceMs]) => {
      if (!isRunning(target)) return false;
      if (elapsed < graceMs) return true;
      signal(target, 'SIGKILL');
      return false;
    });
  }
}

readline
  .createInterface({ input: process.stdin })
  .on('line', line => {
    const match = /^([+-])(-?\d+)(?: (\d+))?$/.exec(line);
    if (!match) return;
    const target = Number(match[2]);
    if (match[1] === '+') targets.set(target, Number(match[3] ?? 0));
    else targets.delete(target);
  })
  .on('close', () => stopTargets().finally(() => process.exit(0)));
