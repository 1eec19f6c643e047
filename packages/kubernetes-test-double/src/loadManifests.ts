import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const KUSTOMIZATION_FILE_NAMES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/**
 * Reads manifests from disk as one multi-document YAML string: a file as it is, a directory with a
 * kustomization file rendered with `kubectl kustomize`, any other directory as the concatenation of
 * its `*.yaml` / `*.yml` files (sorted by name).
 */
export async function loadManifests(manifestsPath: string): Promise<string> {
  const stats = await fs.stat(manifestsPath);
  if (!stats.isDirectory()) {
    return fs.readFile(manifestsPath, 'utf8');
  }
  const entries = (await fs.readdir(manifestsPath)).sort();
  if (entries.some(entry => KUSTOMIZATION_FILE_NAMES.includes(entry))) {
    return renderKustomization(manifestsPath);
  }
  const yamlFiles = entries.filter(entry => /\.ya?ml$/.test(entry));
  if (yamlFiles.length === 0) {
    throw new Error(`${manifestsPath} contains no kustomization and no YAML`);
  }
  const texts = await Promise.all(
    yamlFiles.map(file => fs.readFile(path.join(manifestsPath, file), 'utf8')),
  );
  return texts.join('\n---\n');
}

async function renderKustomization(directory: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(
      'kubectl',
      ['kustomize', directory],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } catch (error) {
    const { stderr, code } = error as { stderr?: string; code?: unknown };
    if (code === 'ENOENT') {
      throw new Error(
        `rendering ${directory} needs kubectl (for \`kubectl kustomize\`), which is not on PATH`,
      );
    }
    throw new Error(
      `kubectl kustomize ${directory} failed: ${stderr?.trim() || error}`,
    );
  }
}
