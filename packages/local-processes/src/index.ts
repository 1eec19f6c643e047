/**
 * The processes a local command starts stop when it ends, however it ends;
 * free loopback ports; whether processes still run, for tests.
 *
 * @packageDocumentation
 */

export { freePort } from './freePort';
export {
  DEFAULT_STOP_GRACE_MS,
  exitOnSignals,
  ownUntilExit,
  signalExitCode,
} from './ownedProcesses';
export type { OwnOptions } from './ownedProcesses';
export {
  describeExit,
  hasExited,
  isRunning,
  survivors,
  watchdogOf,
} from './processState';
export { stopProcess } from './stopProcess';
