import { DockerfileParser } from 'dockerfile-ast';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Check } from './types';

const SECRET_NAME =
  /(PASSWORD|SECRET|TOKEN|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)/i;

/** The rules a generated Dockerfile must keep; each broken rule is one line. */
export function dockerfileProblems(text: string): string[] {
  const dockerfile = DockerfileParser.parse(text);
  const problems: string[] = [];
  const froms = dockerfile.getFROMs();
  if (froms.length < 2) {
    problems.push('not multi-stage: expected at least two FROM instructions');
  }
  const stageNames = new Set(froms.map(f => f.getBuildStage()).filter(Boolean));
  for (const from of froms) {
    const image = from.getImageName() ?? '';
    if (stageNames.has(image)) {
      continue;
    }
    const tag = from.getImageTag();
    const digest = from.getImageDigest();
    if (!digest && (!tag || tag === 'latest' || !/\d/.test(tag))) {
      problems.push(
        `base image "${from.getImage()}" is not pinned to a versioned tag or a digest`,
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
