import { ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { constants } from 'node:os';

/** How long an owned process gets to exit after SIGTERM before it is sent SIGKILL. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

export interface OwnOptions {
  /** Stop the child's whole process group (a child spawned `detached`, and whatever it started). */
  group?: boolean;
  /** How long it gets to exit after SIGTERM before SIGKILL. */
  graceMs?: number;
}

/** What process.kill takes to reach the child, or its whole group. */
export const targetOf = (child: ChildProcess, group: boolean) =>
  group ? -child.pid! : child.pid!;

const owned = new Map<ChildProcess, number>();
let watchdog: ChildProcess | undefined;

process.once('exit', () => {
  for (const target of owned.values()) {
    try {
      process.kill(target, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

/**
 * Tells the watchdog (processWatchdog.js, started with the first owned
 * process) about a change. Neither the watchdog nor the pipe to it keeps this
 * process alive; a watchdog that was killed only means no clean-up after an
 * abrupt death.
 */
function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn(
      process.execPath,
      [require.resolve('@internal/local-processes/src/processWatchdog.js')],
      { detached: true, stdio: ['pipe', 'ignore', 'ignore'] },
    );
    watchdog.unref();
    (watchdog.stdin as Socket).unref();
    watchdog.on('error', () => {});
    watchdog.stdin!.on('error', () => {});
  }
  watchdog.stdin!.write(`${line}\n`);
}

/**
 * Stops `child` (with `group`, its whole process group) when this process
 * ends: SIGTERM when it exits through Node (its work done, process.exit, an
 * uncaught error, or a signal handled by {@link exitOnSignals}); and when it
 * dies where no handler runs (SIGKILL, the OOM killer), a watchdog process
 * sends SIGTERM, then SIGKILL after `graceMs`.
 */
export function ownUntilExit(child: ChildProcess, options: OwnOptions = {}) {
  if (child.pid === undefined) return;
  const target = targetOf(child, options.group ?? false);
  owned.set(child, target);
  tellWatchdog(`+${target} ${options.graceMs ?? DEFAULT_STOP_GRACE_MS}`);
  child.once('exit', () => {
    owned.delete(child);
    tellWatchdog(`-${target}`);
  });
}

/** 128 + the signal's number, as a shell reports a process ended by it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * For commands: SIGINT, SIGTERM and SIGHUP exit with {@link signalExitCode},
 * after the owned processes are signalled. (Without a handler Node dies of the
 * signal and runs no exit handler.)
 */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => process.exit(signalExitCode(signal)));
  }
}
