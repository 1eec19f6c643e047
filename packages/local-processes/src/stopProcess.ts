import { ChildProcess } from 'node:child_process';
import { DEFAULT_STOP_GRACE_MS } from './ownedProcesses';

/** SIGTERM to `child`, SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
export function stopProcess(
  child: ChildProcess,
  graceMs = DEFAULT_STOP_GRACE_MS,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const forceKill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(forceKill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
