import { DockerfileParser } from 'dockerfile-ast';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Check } from './types';
import { workflowDir, workflowFileNames } from './workflows';

const SECRET_NAME =
  /(PASSWORD|SECRET|TOKEN|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)/i;

/** Defaults of the ARGs declared before the first FROM, which FROM lines may use. */
function globalArgDefaults(
  dockerfile: ReturnType<typeof DockerfileParser.parse>,
): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const [name, ...rest] = (arg.getArguments()[0]?.getValue() ?? '').split(
      '=',
    );
    if (rest.length > 0) {
      defaults.set(name, rest.join('='));
    }
  }
  return defaults;
}

function resolveArgs(image: string, args: Map<string, string>): string {
  return image.replace(
    /\$\{?(\w+)\}?/g,
    (whole, name) => args.get(name) ?? whole,
  );
}

/** `name:1.2.3`, `name:1.2-slim` or `name@sha256:…`: a version or a digest, never `latest` or nothing. */
function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) {
    return true;
  }
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  return Boolean(
    tag && tag !== 'latest' && /\d/.test(tag) && !tag.includes('$'),
  );
}

/** The rules a generated Dockerfile must keep; each broken rule is one line. */
export function dockerfileProblems(text: string): string[] {
  const dockerfile = DockerfileParser.parse(text);
  const problems: string[] = [];
  const froms = dockerfile.getFROMs();
  if (froms.length < 2) {
    problems.push('not multi-stage: expected at least two FROM instructions');
  }
  const stageNames = new Set(froms.map(f => f.getBuildStage()).filter(Boolean));
  const globalArgs = globalArgDefaults(dockerfile);
  for (const from of froms) {
    const image = resolveArgs(from.getImage() ?? '', globalArgs);
    if (!stageNames.has(image) && !isPinned(image)) {
      problems.push(
        `base image "${image}" is not pinned to a versioned tag or a digest`,
      );
    }
  }
  const instructions = dockerfile.getInstructions();
  if (instructions.some(i => i.getKeyword() === 'ADD')) {
    problems.push(
      'uses ADD; use COPY (ADD fetches URLs and unpacks archives implicitly)',
    );
  }
  for (const instruction of instructions.filter(i =>
    ['ENV', 'ARG'].includes(i.getKeyword()),
  )) {
    const name = instruction.getArguments()[0]?.getValue().split('=')[0] ?? '';
    if (SECRET_NAME.test(name)) {
      problems.push(
        `${instruction.getKeyword()} ${name} looks like a secret baked into the image`,
      );
    }
  }
  const lastFrom = froms[froms.length - 1];
  const finalStage = instructions.filter(
    i => lastFrom && i.getRange().start.line > lastFrom.getRange().start.line,
  );
  const user = [...finalStage].reverse().find(i => i.getKeyword() === 'USER');
  const uid = Number((user?.getArguments()[0]?.getValue() ?? '').split(':')[0]);
  if (!user || !Number.isInteger(uid) || uid < 10000) {
    problems.push(
      'the final stage must run as a numeric non-root USER with uid ≥ 10000',
    );
  }
  return problems;
}

export function dockerfileCheck(repoDir: string): Check {
  return {
    name: 'Dockerfile rules',
    run: async () => {
      const problems = dockerfileProblems(
        await fs.readFile(path.join(repoDir, 'Dockerfile'), 'utf8'),
      );
      if (problems.length > 0) {
        throw new Error(problems.join('\n'));
      }
    },
  };
}

/**
 * Where the generated repository names its Python minor version: the README's "Needs Python X.Y",
 * each workflow's `PYTHON_VERSION` and the Dockerfile's `python:X.Y…` base image. All must agree.
 */
export function pythonVersionProblems(files: {
  readme: string;
  dockerfile: string;
  workflows: Record<string, string>;
}): string[] {
  const found = new Map<string, string>();
  const readme = /Needs Python (\d+\.\d+)\b/.exec(files.readme)?.[1];
  if (readme) {
    found.set('README.md ("Needs Python")', readme);
  }
  const image = /python:(\d+\.\d+)[.\d]*[-@\s]/.exec(files.dockerfile)?.[1];
  if (image) {
    found.set('Dockerfile (python base image)', image);
  }
  for (const [name, text] of Object.entries(files.workflows)) {
    const version = /^\s*PYTHON_VERSION:\s*["']?(\d+\.\d+)/m.exec(text)?.[1];
    if (version) {
      found.set(`${name} (PYTHON_VERSION)`, version);
    }
  }
  const versions = new Set(found.values());
  if (versions.size <= 1) {
    return [];
  }
  return [
    `Python versions disagree: ${[...found]
      .map(([where, version]) => `${where} ${version}`)
      .join(', ')}`,
  ];
}

export function pythonVersionCheck(repoDir: string): Check {
  return {
    name: 'one Python version (README, Dockerfile, workflows)',
    run: async () => {
      const read = (file: string) =>
        fs.readFile(path.join(repoDir, file), 'utf8').catch(() => '');
      const names = await workflowFileNames(repoDir).catch(() => []);
      const workflows: Record<string, string> = {};
      for (const name of names) {
        workflows[name] = await fs
          .readFile(path.join(workflowDir(repoDir), name), 'utf8')
          .catch(() => '');
      }
      const problems = pythonVersionProblems({
        readme: await read('README.md'),
        dockerfile: await read('Dockerfile'),
        workflows,
      });
      if (problems.length > 0) {
        throw new Error(problems.join('\n'));
      }
    },
  };
}
