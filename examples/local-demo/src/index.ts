/**
 * Runs the example Backstage with everything its local demo needs.
 *
 * @packageDocumentation
 */

export { startLocalDemo } from './startLocalDemo';
export type { LocalDemo, LocalDemoOptions } from './startLocalDemo';
export { exitWhenDone, stopEverythingOnShutdown } from './processes';
export { REPO_ROOT, DEMO_STATE_DIR } from './paths';
export { LOCAL_RUNNER } from './localRunner';
export type { LocalDeployment, LocalRunner } from './localRunner';
