import { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** Whether `child` has ended, by exiting or by a signal (`exitCode` alone misses the latter). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * How `child` ended, for a message: "exited with code 1", or "was ended by
 * SIGKILL" where a signal ended it (its exit code is then null).
 */
export function describeExit(child: ChildProcess): string {
  return child.signalCode !== null
    ? `was ended by ${child.signalCode}`
    : `exited with code ${child.exitCode}`;
}

/**
 * Whether `pid` runs and is not a zombie (Linux: an orphan's zombie may never
 * be reaped where pid 1 does not reap, so "exists" is not "runs").
 */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The processes of `pids` still running once all have gone or `timeoutMs` has passed. */
export async function survivors(
  pids: number[],
  timeoutMs = 10_000,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return pids.filter(isRunning);
}

/** The pid of the watchdog (processWatchdog.js) that `owner` started, if it runs. */
export function watchdogOf(owner: number): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(
        stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1],
      );
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (parent === owner && command.includes('processWatchdog.js')) {
        return Number(entry);
      }
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}
