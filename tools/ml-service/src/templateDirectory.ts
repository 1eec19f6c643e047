import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';

/** A file of the template as the scaffolder dry-run API takes it. */
export interface DirectoryEntry {
  path: string;
  base64Content: string;
  executable?: boolean;
}

/** The parsed template.yaml and every file beside it. */
export interface TemplateDirectory {
  template: Record<string, any>;
  directoryContents: DirectoryEntry[];
}

/** Local build and cache folders that are never part of a template or a generated repository. */
const IGNORED = new Set([
  '.venv',
  '.ruff_cache',
  '.pytest_cache',
  '__pycache__',
  '.terraform',
  'artifacts',
  'node_modules',
  'bench',
]);

/** Every file below root (relative, POSIX separators), without build and cache folders. */
export async function listFiles(root: string, dir = ''): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, dir), {
    withFileTypes: true,
  });
  const nested = await Promise.all(
    entries
      .filter(entry => !IGNORED.has(entry.name))
      .map(entry => {
        const relative = path.posix.join(dir, entry.name);
        return entry.isDirectory()
          ? listFiles(root, relative)
          : Promise.resolve([relative]);
      }),
  );
  return nested.flat();
}

/** Reads a template folder (template.yaml + skeleton) for `POST /v2/dry-run`. */
export async function readTemplateDirectory(
  templateDir: string,
): Promise<TemplateDirectory> {
  const template = yaml.parse(
    await fs.readFile(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  const files = await listFiles(templateDir);
  const directoryContents = await Promise.all(
    files.map(async file => {
      const absolute = path.join(templateDir, file);
      const [content, stat] = await Promise.all([
        fs.readFile(absolute),
        fs.stat(absolute),
      ]);
      return {
        path: file,
        base64Content: content.toString('base64'),
        executable: (stat.mode & 0o111) !== 0,
      };
    }),
  );
  return { template, directoryContents };
}
