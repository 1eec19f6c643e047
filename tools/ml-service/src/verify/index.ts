import { performance } from 'node:perf_hooks';
import { catalogCheck } from './catalog';
import { configFilesCheck } from './configFiles';
import { dockerfileCheck, pythonVersionCheck } from './dockerfile';
import { firstPushChecks } from './firstPush';
import { kubernetesChecks } from './kubernetes';
import { pythonChecks } from './python';
import { terraformApplyGroup, terraformChecks } from './terraform';
import type { ReportingCheck } from './terraformApply';
import { Check, CheckResult, SkipCheck } from './types';
import { workflowChecks } from './workflows';

export type { CheckResult } from './types';

export interface VerifyOptions {
  /** Run the slow checks too: Python venv/tests/train/serve, `terraform test` and `terraform apply` against moto. */
  slow: boolean;
  /** Told of each result as soon as it is known. */
  onResult?: (result: CheckResult) => void;
  /**
   * The render record (`<dir>.render.json`) for the first-push checks, which
   * fail when it is missing. The CLI always passes it; a caller verifying a
   * repository that a real task published, not a render, leaves it out.
   */
  renderRecord?: string;
}

async function runCheck(check: Check): Promise<CheckResult> {
  const start = performance.now();
  try {
    await check.run();
    const { report } = check as ReportingCheck;
    return {
      name: check.name,
      status: 'pass',
      ms: performance.now() - start,
      ...(report && { detail: report }),
    };
  } catch (error) {
    const status = error instanceof SkipCheck ? 'skip' : 'fail';
    return {
      name: check.name,
      status,
      ms: performance.now() - start,
      detail: (error as Error).message,
    };
  }
}

/** Runs one group's checks in order; a failed step makes the rest of its group meaningless only where they say so. */
async function runGroup(
  checks: Check[],
  onResult?: (r: CheckResult) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const result = await runCheck(check);
    onResult?.(result);
    results.push(result);
  }
  return results;
}

async function buildGroup(
  build: () => Promise<Check[]>,
  name: string,
): Promise<Check[]> {
  try {
    return await build();
  } catch (error) {
    return [
      {
        name,
        run: async () => {
          throw error;
        },
      },
    ];
  }
}

/**
 * Every check of a generated repository, with real tools. Independent groups
 * (Terraform, its apply against moto, Python, the rest) run side by side:
 * much of the slow ones is waiting.
 */
export async function verifyRepository(
  repoDir: string,
  serviceName: string,
  options: VerifyOptions,
): Promise<CheckResult[]> {
  const groups = await Promise.all([
    buildGroup(() => terraformChecks(repoDir, options), 'terraform'),
    buildGroup(
      async () => [
        ...(await workflowChecks(repoDir)),
        ...(await kubernetesChecks(repoDir, serviceName)),
        dockerfileCheck(repoDir),
        pythonVersionCheck(repoDir),
        catalogCheck(repoDir),
        configFilesCheck(repoDir),
      ],
      'repository files',
    ),
    options.slow
      ? buildGroup(() => pythonChecks(repoDir), 'python')
      : Promise.resolve([]),
    options.slow
      ? buildGroup(
          () => terraformApplyGroup(repoDir),
          'terraform apply against moto',
        )
      : Promise.resolve([]),
    options.renderRecord
      ? buildGroup(
          () => firstPushChecks(repoDir, options.renderRecord!),
          'first push: the render record',
        )
      : Promise.resolve([]),
  ]);
  const results = await Promise.all(
    groups.map(group => runGroup(group, options.onResult)),
  );
  return results.flat();
}

export function formatResult(result: CheckResult): string {
  const label = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }[result.status];
  const head = `${label}  ${result.name} (${(result.ms / 1000).toFixed(1)} s)`;
  if (!result.detail) {
    return head;
  }
  return `${head}\n${result.detail
    .split('\n')
    .map(line => `      ${line}`)
    .join('\n')}`;
}
