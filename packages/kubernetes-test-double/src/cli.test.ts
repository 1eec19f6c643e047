import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(60_000);

const FIXTURE = path.join(__dirname, '__fixtures__/rendered-manifests.yaml');

function startCli(args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(__dirname, 'cli.ts'),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Its exit code once it has exited and its output has all arrived ('exit' may come first). */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise(resolve => child.once('close', code => resolve(code)));
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', chunk => {
      output += chunk;
      if (output.includes('\n')) resolve(output.split('\n')[0]);
    });
    child.once('exit', code =>
      reject(new Error(`exited with ${code}: ${output}`)),
    );
  });
}

describe('cli', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = exitOf(child);
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('serves the manifests to kubectl, an independent client, until stopped', async () => {
    child = startCli([
      '--manifests',
      FIXTURE,
      '--scenario',
      'churn-model=stalled',
    ]);
    const line = await firstLine(child);
    const url =
      /^kubernetes test double \(simulation\) listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(
        line,
      )?.[1];
    expect(url).toBeDefined();

    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-cache-'));
    const kubectl = async (...args: string[]) =>
      (
        await promisify(execFile)('kubectl', [
          `--server=${url}`,
          `--cache-dir=${cacheDir}`,
          '--namespace=ml-services',
          ...args,
        ])
      ).stdout;
    try {
      expect(
        await kubectl(
          'get',
          'deployment',
          'churn-model',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}',
        ),
      ).toBe('ProgressDeadlineExceeded');
      expect(
        await kubectl(
          'get',
          'pods',
          '-l',
          'backstage.io/kubernetes-id=churn-model',
          '-o',
          'name',
        ),
      ).toMatch(/^pod\/churn-model-\w+-\w+\npod\/churn-model-\w+-\w+\n$/);
      const description = await kubectl('describe', 'hpa', 'churn-model');
      expect(description).toMatch(/Min replicas:\s+2/);
      expect(description).toMatch(
        /ScalingLimited\s+False\s+DesiredWithinRange/,
      );
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }

    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it.each([
    [[], /--manifests is required/],
    [
      ['--manifests', FIXTURE, '--scenario', 'churn-model'],
      /--scenario must look like <deployment>=<scenario>/,
    ],
    [
      ['--manifests', FIXTURE, '--scenario', 'churn-model=melting'],
      /unknown scenario "melting"/,
    ],
    [
      ['--manifests', FIXTURE, '--port', 'eighty'],
      /--port must be a port number/,
    ],
  ])('exits 1 for %j', async (args, message) => {
    child = startCli(args);
    let stderr = '';
    child.stderr!.on('data', chunk => (stderr += chunk));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toMatch(message);
  });
});
