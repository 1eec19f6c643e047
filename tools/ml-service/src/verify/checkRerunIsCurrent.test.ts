/*
 * The deploy workflow's re-run guard (.github/scripts/check_rerun_is_current.sh of the skeleton),
 * run with bash and curl against a local stand-in for GitHub's "get a commit" endpoint: a re-run of
 * an older commit stops before it changes anything, a first attempt or a rollback is never refused.
 */
import { exec, ExecResult } from './exec';
import { StandIn, jsonStandIn, skeletonScript } from './skeletonScripts';

jest.setTimeout(30_000);

const SCRIPT = skeletonScript('check_rerun_is_current.sh');
const RUN_SHA = 'a'.repeat(40);
const NEWER_SHA = 'b'.repeat(40);

function runGuard(
  api: StandIn,
  env: { attempt: string; rollbackDigest?: string },
): Promise<ExecResult> {
  return exec('bash', [SCRIPT], {
    env: {
      GITHUB_RUN_ATTEMPT: env.attempt,
      GITHUB_SHA: RUN_SHA,
      GITHUB_REPOSITORY: 'acme/churn-model',
      GITHUB_API_URL: api.url,
      BRANCH: 'release/1.2.x',
      ROLLBACK_DIGEST: env.rollbackDigest ?? '',
      GH_TOKEN: 'job-token',
    },
  });
}

describe('check_rerun_is_current.sh (skeleton)', () => {
  let api: StandIn | undefined;
  afterEach(() => api?.close());

  it('stops a re-run once the branch has moved on, saying how to go back instead', async () => {
    api = await jsonStandIn(200, { sha: NEWER_SHA });

    const run = await runGuard(api, { attempt: '2' });

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      `::error::This is a re-run (attempt 2) of ${RUN_SHA}, but release/1.2.x is at ${NEWER_SHA} now`,
    );
    expect(run.output).toContain('run the deploy workflow with image_digest');
    expect(api.seen).toEqual([
      'GET /repos/acme/churn-model/commits/heads/release/1.2.x Bearer job-token',
    ]);
  });

  it('lets a re-run of the head through', async () => {
    api = await jsonStandIn(200, { sha: RUN_SHA });

    const run = await runGuard(api, { attempt: '3' });

    expect(run).toEqual({
      code: 0,
      output: `This re-run (attempt 3) deploys ${RUN_SHA}, the head of release/1.2.x.\n`,
    });
  });

  it('never asks GitHub on a first attempt, nor for a rollback', async () => {
    api = await jsonStandIn(200, { sha: NEWER_SHA });

    const first = await runGuard(api, { attempt: '1' });
    const rollback = await runGuard(api, {
      attempt: '2',
      rollbackDigest: `sha256:${'c'.repeat(64)}`,
    });

    expect(first).toEqual({ code: 0, output: '' });
    expect(rollback).toEqual({ code: 0, output: '' });
    expect(api.seen).toEqual([]);
  });

  it('stops a re-run when the head cannot be read, naming the permission', async () => {
    api = await jsonStandIn(404, { message: 'Not Found' });

    const run = await runGuard(api, { attempt: '2' });

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      "Could not read the head of release/1.2.x (HTTP 404), so this re-run cannot tell whether it would deploy older code; stopped before any change. The job's token needs 'contents: read'.",
    );
  });
});
