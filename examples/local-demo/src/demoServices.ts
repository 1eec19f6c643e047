import { pipEnvironment } from '@internal/ml-service-tools';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import {
  DEMO_SERVICES_VALUES_DIR,
  DEMO_STATE_DIR,
  REPO_ROOT,
  TEMPLATE_DIR,
} from './paths';
import { runToCompletion } from './processes';

/** A demo ML service rendered from the template into a local repository. */
export interface DemoService {
  name: string;
  environments: string[];
  repoDir: string;
}

const SERVICES_DIR = path.join(DEMO_STATE_DIR, 'services');
/** One virtualenv for every demo service: their requirements come from the same template. */
export const SHARED_VENV = path.join(DEMO_STATE_DIR, 'venv');
const CACHE_KEY_FILE = '.local-demo-key';

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await fs.readdir(directory, {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter(entry => entry.isFile())
    .map(entry => path.join(entry.parentPath, entry.name))
    .sort();
}

async function hashOf(files: string[], extra = ''): Promise<string> {
  const hash = createHash('sha256').update(extra);
  for (const file of files) {
    hash.update(path.relative(REPO_ROOT, file)).update('\0');
    hash.update(await fs.readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function readKey(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

async function render(valuesFile: string, repoDir: string, key: string) {
  if ((await readKey(path.join(repoDir, CACHE_KEY_FILE))) === key) {
    return;
  }
  await fs.rm(repoDir, { recursive: true, force: true });
  await runToCompletion(
    `render ${path.basename(repoDir)}`,
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(REPO_ROOT, 'tools/ml-service/src/render.ts'),
      '--values',
      valuesFile,
      '--out',
      repoDir,
    ],
    { cwd: REPO_ROOT },
  );
  await fs.writeFile(path.join(repoDir, CACHE_KEY_FILE), key);
}

function make(repoDir: string, target: string, env: NodeJS.ProcessEnv = {}) {
  return runToCompletion(
    `make ${target} (${path.basename(repoDir)})`,
    'make',
    [target, `VENV=${SHARED_VENV}`],
    { cwd: repoDir, env: { ...process.env, ...env } },
  );
}

async function ensureVenv(repoDir: string, log: (line: string) => void) {
  const key = await hashOf(
    ['requirements.txt', 'requirements-dev.txt'].map(f =>
      path.join(repoDir, f),
    ),
  );
  const keyFile = path.join(SHARED_VENV, CACHE_KEY_FILE);
  if ((await readKey(keyFile)) === key) {
    return false;
  }
  log(
    "installing the model servers' Python environment (once, about a minute)",
  );
  await fs.rm(SHARED_VENV, { recursive: true, force: true });
  await make(repoDir, 'install', await pipEnvironment());
  await fs.writeFile(keyFile, key);
  return true;
}

/**
 * Renders each demo service's values file (examples/local-demo/services) through the template,
 * installs one shared virtualenv and trains each model, reusing everything whose template and
 * values did not change since the last run.
 */
export async function prepareDemoServices(
  log: (line: string) => void,
): Promise<DemoService[]> {
  const templateHash = await hashOf(await filesUnder(TEMPLATE_DIR));
  const valuesFiles = (await fs.readdir(DEMO_SERVICES_VALUES_DIR))
    .filter(file => file.endsWith('.yaml'))
    .sort()
    .map(file => path.join(DEMO_SERVICES_VALUES_DIR, file));

  const services = await Promise.all(
    valuesFiles.map(async valuesFile => {
      const values = yaml.parse(await fs.readFile(valuesFile, 'utf8'));
      const repoDir = path.join(SERVICES_DIR, values.name);
      const key = await hashOf([valuesFile], templateHash);
      await render(valuesFile, repoDir, key);
      return {
        name: String(values.name),
        environments: values.environments as string[],
        repoDir,
      };
    }),
  );
  log(`rendered ${services.map(s => s.name).join(', ')} from the template`);

  // A joblib model loads only with the scikit-learn it was trained with.
  const retrainAll = await ensureVenv(services[0].repoDir, log);
  for (const service of services) {
    const model = path.join(service.repoDir, 'artifacts/model.joblib');
    if (retrainAll || !(await fs.stat(model).catch(() => undefined))) {
      await make(service.repoDir, 'train');
      log(`trained ${service.name}`);
    }
  }
  return services;
}
