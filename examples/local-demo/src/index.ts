/**
 * Runs the example Backstage with everything its local demo needs.
 *
 * @packageDocumentation
 */

export { startLocalDemo } from './startLocalDemo';
export type { LocalDemo, LocalDemoOptions } from './startLocalDemo';
export { freePort } from '@internal/ml-service-tools';
export {
  exitWhenDone,
  signalExitCode,
  stopEverythingOnShutdown,
} from './processes';
export { REPO_ROOT, DEMO_STATE_DIR } from './paths';
export { LOCAL_RUNNER } from './localRunner';
export type { LocalDeployment, LocalRunner } from './localRunner';
