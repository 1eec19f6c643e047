import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import yaml from 'yaml';
import { listFiles } from '../templateDirectory';
import { Check } from './types';

function yamlProblems(text: string): string[] {
  return yaml
    .parseAllDocuments(text)
    .flatMap(document => [...document.errors, ...document.warnings])
    .map(problem => problem.message.split('\n')[0]);
}

function tomlProblems(text: string): string[] {
  try {
    parseToml(text);
    return [];
  } catch (error) {
    return [(error as Error).message.split('\n')[0]];
  }
}

const PARSERS: Array<[RegExp, (text: string) => string[]]> = [
  [/\.ya?ml$/, yamlProblems],
  [/\.toml$/, tomlProblems],
];

/**
 * Every YAML and TOML file of the repository parses without an error or a
 * warning: free text such as the description must never break a file that
 * a more specific check does not read.
 */
export function configFilesCheck(repoDir: string): Check {
  return {
    name: 'YAML and TOML files parse',
    run: async () => {
      const problems: string[] = [];
      for (const file of await listFiles(repoDir)) {
        const parser = PARSERS.find(([pattern]) => pattern.test(file))?.[1];
        if (parser) {
          const text = await fs.readFile(path.join(repoDir, file), 'utf8');
          problems.push(...parser(text).map(problem => `${file}: ${problem}`));
        }
      }
      if (problems.length > 0) {
        throw new Error(problems.join('\n'));
      }
    },
  };
}
