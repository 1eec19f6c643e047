import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';

/** One template step as it ran in the dry run: its rendered input and its output. */
export interface RecordedStep {
  stepId: string;
  action: string;
  input: Record<string, any>;
  output: Record<string, any>;
}

/**
 * What a render knew that the generated files do not say: the values it was
 * given, the steps that ran (in order; a step skipped by its `if:` is absent,
 * a step with `each:` appears once per iteration) and what the template
 * declares the platform provides. The first-push check reads it.
 */
export interface RenderRecord {
  values: Record<string, unknown>;
  steps: RecordedStep[];
  platformProvided: string[];
}

/**
 * The record lives beside the rendered directory (`<dir>.render.json`), never
 * in it: the directory stays exactly the repository the template generates,
 * so nothing of the render can be published with it or read by the other
 * checks as one of its files.
 */
export function renderRecordPath(repoDir: string): string {
  const resolved = path.resolve(repoDir);
  return path.join(
    path.dirname(resolved),
    `${path.basename(resolved)}.render.json`,
  );
}

export async function writeRenderRecord(
  repoDir: string,
  record: RenderRecord,
): Promise<string> {
  const file = renderRecordPath(repoDir);
  await fs.writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/** Throws, saying how to produce one, when `file` is missing or not a render record. */
export async function readRenderRecord(file: string): Promise<RenderRecord> {
  const text = await fs.readFile(file, 'utf8').catch(error => {
    if (error.code === 'ENOENT') {
      throw new Error(
        `no render record at ${file}: render the directory with ` +
          '`yarn ml-service:render --values <file.yaml> --out <dir>`, which writes ' +
          '<dir>.render.json beside it (the steps the template ran and their inputs)',
      );
    }
    throw error;
  });
  const record = JSON.parse(text) as Partial<RenderRecord>;
  if (
    !Array.isArray(record.steps) ||
    !Array.isArray(record.platformProvided) ||
    typeof record.values !== 'object'
  ) {
    throw new Error(
      `${file} is not a render record (steps, values, platformProvided); render again`,
    );
  }
  return record as RenderRecord;
}

const PROVIDED_ENTRY =
  /^(vars|secrets)\.[A-Za-z_][A-Za-z0-9_]*$|^github\.token$/;

/** The entries of a template's `platform-provided.yaml`. */
export function parsePlatformProvided(text: string): string[] {
  const provided = yaml.parse(text)?.provided;
  if (
    !Array.isArray(provided) ||
    provided.some(entry => !PROVIDED_ENTRY.test(String(entry)))
  ) {
    throw new Error(
      'platform-provided.yaml: `provided` must list entries such as secrets.GITHUB_TOKEN, vars.NAME or github.token',
    );
  }
  return provided.map(String);
}

export async function readPlatformProvided(
  templateDir: string,
): Promise<string[]> {
  return parsePlatformProvided(
    await fs.readFile(path.join(templateDir, 'platform-provided.yaml'), 'utf8'),
  );
}
