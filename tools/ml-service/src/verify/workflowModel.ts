import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { contextReads, ContextRead, embeddedExpressions } from './expressions';

/** A parsed `.github/workflows/*.yml`. */
export interface Workflow {
  file: string;
  doc: Record<string, any>;
}

/**
 * One run of a job: a job without a matrix runs once, a matrix job once per
 * combination, with `${{ matrix.x }}` replaced by its value.
 */
export interface JobRun {
  workflow: Workflow;
  id: string;
  job: Record<string, any>;
  /** The matrix combination of this run ({} without a matrix). */
  matrix: Record<string, unknown>;
  /** The job's GitHub environment; undefined without one, null when computed at run time. */
  environment: string | undefined | null;
  /** For a job of a reusable workflow: the calling job, `<file> job <id>`. */
  calledBy?: string;
}

export const isRecord = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asArray = (value: unknown): unknown[] => {
  if (Array.isArray(value)) {
    return value;
  }
  return value === undefined ? [] : [value];
};

export async function readWorkflows(repoDir: string): Promise<Workflow[]> {
  const dir = path.join(repoDir, '.github', 'workflows');
  const files = (await fs.readdir(dir)).filter(f => /\.ya?ml$/.test(f)).sort();
  return Promise.all(
    files.map(async file => ({
      file,
      doc: yaml.parse(await fs.readFile(path.join(dir, file), 'utf8')) ?? {},
    })),
  );
}

/** The events of a workflow's `on:` (a name, a list of names or a map). */
export function triggersOf(workflow: Workflow): string[] {
  const on = workflow.doc.on;
  if (typeof on === 'string') {
    return [on];
  }
  if (Array.isArray(on)) {
    return on.map(String);
  }
  return isRecord(on) ? Object.keys(on) : [];
}

/** GitHub's matrix expansion (dimensions, `exclude`, `include`); null when the matrix is an expression. */
export function matrixCombinations(
  matrix: unknown,
): Array<Record<string, unknown>> | null {
  if (matrix === undefined) {
    return [{}];
  }
  if (!isRecord(matrix)) {
    return null;
  }
  const { include, exclude, ...dimensions } = matrix;
  if (Object.values(dimensions).some(values => !Array.isArray(values))) {
    return null;
  }
  const keys = Object.keys(dimensions);
  const matches = (
    combination: Record<string, unknown>,
    entry: Record<string, any>,
  ) =>
    Object.entries(entry).every(
      ([key, value]) =>
        !keys.includes(key) ||
        JSON.stringify(combination[key]) === JSON.stringify(value),
    );
  let combinations: Array<Record<string, unknown>> =
    keys.length === 0 ? [] : [{}];
  for (const key of keys) {
    combinations = combinations.flatMap(combination =>
      (dimensions[key] as unknown[]).map(value => ({
        ...combination,
        [key]: value,
      })),
    );
  }
  combinations = combinations.filter(
    combination =>
      !asArray(exclude).some(
        entry => isRecord(entry) && matches(combination, entry),
      ),
  );
  for (const entry of asArray(include).filter(isRecord)) {
    const extended = combinations.filter(c => matches(c, entry));
    if (extended.length === 0) {
      combinations.push({ ...entry });
    }
    extended.forEach(combination => Object.assign(combination, entry));
  }
  return combinations;
}

function substituteMatrix(node: unknown, values: Record<string, unknown>): any {
  if (typeof node === 'string') {
    return node.replace(
      /\$\{\{\s*matrix\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g,
      (whole, key) => (key in values ? String(values[key]) : whole),
    );
  }
  if (Array.isArray(node)) {
    return node.map(item => substituteMatrix(item, values));
  }
  if (isRecord(node)) {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, substituteMatrix(v, values)]),
    );
  }
  return node;
}

function environmentOf(job: Record<string, any>): string | undefined | null {
  const environment = isRecord(job.environment)
    ? job.environment.name
    : job.environment;
  if (environment === undefined || environment === null) {
    return undefined;
  }
  return String(environment).includes('${{') ? null : String(environment);
}

export function jobRuns(workflow: Workflow): JobRun[] {
  return Object.entries(workflow.doc.jobs ?? {}).flatMap(([id, raw]) => {
    const job = isRecord(raw) ? raw : {};
    const combinations = matrixCombinations(job.strategy?.matrix) ?? [{}];
    return combinations.map(combination => {
      const expanded = substituteMatrix(job, combination);
      return {
        workflow,
        id,
        job: expanded,
        matrix: combination,
        environment: environmentOf(expanded),
      };
    });
  });
}

export function needsOf(job: Record<string, any>): string[] {
  return asArray(job.needs).map(String);
}

/** Every job `id` waits for, directly or through others. */
export function needsAncestors(workflow: Workflow, id: string): Set<string> {
  const jobs = workflow.doc.jobs ?? {};
  const seen = new Set<string>();
  const visit = (jobId: string) => {
    for (const need of needsOf(jobs[jobId] ?? {})) {
      if (!seen.has(need)) {
        seen.add(need);
        visit(need);
      }
    }
  };
  visit(id);
  return seen;
}

/** The expressions GitHub evaluates in a node: every `${{ }}`, and each `if:`, with or without braces. */
export function expressionsIn(node: unknown, key?: string): string[] {
  if (typeof node === 'string') {
    return key === 'if' && !node.includes('${{')
      ? [node]
      : embeddedExpressions(node);
  }
  if (Array.isArray(node)) {
    return node.flatMap(item => expressionsIn(item));
  }
  if (isRecord(node)) {
    return Object.entries(node).flatMap(([k, v]) => expressionsIn(v, k));
  }
  return [];
}

export function readsIn(node: unknown): ContextRead[] {
  return expressionsIn(node).flatMap(contextReads);
}

const TERRAFORM_ENV_DIR = /^(?:\.\/)?terraform\/envs\/([^/\s"']+)\/?$/;

/** The environments whose Terraform root (terraform/envs/<env>) a job run applies. */
export function appliedEnvironments(run: JobRun): string[] {
  const defaultDirectory =
    run.job.defaults?.run?.['working-directory'] ??
    run.workflow.doc.defaults?.run?.['working-directory'];
  return asArray(run.job.steps)
    .filter(isRecord)
    .flatMap(step => {
      const script = typeof step.run === 'string' ? step.run : '';
      if (!/\bterraform\b[^\n]*\bapply\b/.test(script)) {
        return [];
      }
      const directories = [
        step['working-directory'] ?? defaultDirectory,
        ...[...script.matchAll(/-chdir=["']?([^\s"']+)/g)].map(m => m[1]),
      ];
      return directories.flatMap(directory => {
        const env = TERRAFORM_ENV_DIR.exec(String(directory ?? ''))?.[1];
        return env ? [env] : [];
      });
    });
}

/** The runs of the local reusable workflow a job calls (`uses: ./.github/workflows/x.yml`), if any. */
export function calledRuns(run: JobRun, workflows: Workflow[]): JobRun[] {
  const uses = typeof run.job.uses === 'string' ? run.job.uses : '';
  const file = /^\.\/\.github\/workflows\/([^/@]+)$/.exec(uses)?.[1];
  const called = workflows.find(w => w.file === file);
  const calledBy = `${run.workflow.file} job ${run.id}`;
  return called ? jobRuns(called).map(r => ({ ...r, calledBy })) : [];
}
