import { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/*
 * Child processes that must not outlive this one (moto, a generated model
 * server): each gets SIGTERM when this process exits through Node — its work
 * done, process.exit, an uncaught error — and, in a command that calls
 * exitOnSignals, on SIGINT, SIGTERM or SIGHUP to this process alone. Only an
 * end no handler sees (SIGKILL, the OOM killer) leaves them running.
 */
const owned = new Map<ChildProcess, { group: boolean }>();

process.once('exit', () => {
  for (const [child, { group }] of owned) {
    try {
      process.kill(group ? -child.pid! : child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

/**
 * Stops `child` when this process exits; with `group`, its whole process
 * group (a child spawned `detached`, and whatever it started).
 */
export function ownUntilExit(
  child: ChildProcess,
  options: { group?: boolean } = {},
): void {
  if (child.pid === undefined) return;
  owned.set(child, { group: options.group ?? false });
  child.once('exit', () => owned.delete(child));
}

/**
 * For commands: SIGINT, SIGTERM and SIGHUP exit with 128 + the signal's
 * number, as a shell reports it, after the owned processes are signalled.
 * (Without a handler Node dies of the signal and runs no exit handler.)
 */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => process.exit(128 + constants.signals[signal]));
  }
}
