import path from 'node:path';

// Run from source through yarn scripts and never bundled, so __dirname is stable.
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
export const TEMPLATE_DIR = path.join(REPO_ROOT, 'templates/ml-service');
export const DEMO_SERVICES_VALUES_DIR = path.join(
  EXAMPLES_DIR,
  'local-demo/services',
);

/** Git-ignored working directory of the local demo (renders, venv, git repositories, config). */
export const DEMO_STATE_DIR = path.join(EXAMPLES_DIR, '.demo');
