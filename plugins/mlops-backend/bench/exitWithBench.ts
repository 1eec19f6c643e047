/*
 * For the processes `yarn bench:fleet` starts: each exits when the bench
 * does, however the bench ends. The bench kills them when it exits; when it
 * is killed itself (SIGKILL, the OOM killer), no handler runs, but the pipe
 * it holds to their stdin closes.
 */
import { Socket } from 'node:net';

/** Exits this process once its stdin, a pipe from the bench, closes; never keeps it alive. */
export function exitWithBench(): void {
  process.stdin.on('end', () => process.exit(0)).resume();
  (process.stdin as Socket).unref();
}
