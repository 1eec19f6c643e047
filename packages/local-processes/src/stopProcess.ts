import { ChildProcess } from 'node:child_process';
import { DEFAULT_STOP_GRACE_MS, OwnOptions, targetOf } from './ownedProcesses';
import { hasExited } from './processState';

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}

/**
 * SIGTERM to `child` (with `group`, to its whole process group), SIGKILL if it
 * has not exited after `graceMs`; resolves once it has exited. With `group`,
 * whatever it leaves in its group when it exits (a server it started) is sent
 * SIGKILL too.
 */
export function stopProcess(
  child: ChildProcess,
  options: OwnOptions = {},
): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return Promise.resolve();
  const target = targetOf(child, options.group ?? false);
  return new Promise(resolve => {
    const forceKill = setTimeout(
      () => signal(target, 'SIGKILL'),
      options.graceMs ?? DEFAULT_STOP_GRACE_MS,
    );
    child.once('exit', () => {
      clearTimeout(forceKill);
      if (options.group) signal(target, 'SIGKILL');
      resolve();
    });
    signal(target, 'SIGTERM');
  });
}
