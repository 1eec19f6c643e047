/*
 * The deploy workflow's reviewer guard (.github/scripts/check_required_reviewers.sh of the skeleton),
 * run with bash, curl and jq against a local stand-in for GitHub's REST API: a job in an environment
 * that should require reviewers stops when GitHub has none, and says why and how to fix it.
 */
import { exec, ExecResult } from './exec';
import { StandIn, jsonStandIn, skeletonScript } from './skeletonScripts';

jest.setTimeout(30_000);

const SCRIPT = skeletonScript('check_required_reviewers.sh');

/** GitHub's "get an environment" endpoint, answering `status` with `body`. */
const gitHubApi = jsonStandIn;

function runGuard(api: StandIn, requireReviewers: string): Promise<ExecResult> {
  return exec('bash', [SCRIPT], {
    env: {
      REQUIRE_REVIEWERS: requireReviewers,
      ENVIRONMENT: 'prod',
      GH_TOKEN: 'job-token',
      GITHUB_REPOSITORY: 'acme/churn-model',
      GITHUB_API_URL: api.url,
    },
  });
}

const prod = (protectionRules: unknown[]) => ({
  name: 'prod',
  protection_rules: protectionRules,
});

describe('check_required_reviewers.sh (skeleton)', () => {
  let api: StandIn | undefined;
  afterEach(() => api?.close());

  it('passes, naming the reviewers, when the environment has them', async () => {
    api = await gitHubApi(
      200,
      prod([
        { type: 'branch_policy' },
        {
          type: 'required_reviewers',
          prevent_self_review: true,
          reviewers: [
            { type: 'Team', reviewer: { slug: 'forecasting', name: 'Fc' } },
            { type: 'User', reviewer: { login: 'jdoe' } },
          ],
        },
      ]),
    );

    const run = await runGuard(api, 'true');

    expect(run).toEqual({
      code: 0,
      output:
        'prod requires a review by one of: Team forecasting, User jdoe.\n',
    });
    expect(api.seen).toEqual([
      'GET /repos/acme/churn-model/environments/prod Bearer job-token',
    ]);
  });

  it('stops the job, saying why and how to fix it, when GitHub has no reviewers for it', async () => {
    api = await gitHubApi(200, prod([{ type: 'branch_policy' }]));

    const run = await runGuard(api, 'true');

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      '::error::The GitHub environment prod has no required reviewers, so this job would change prod without anyone',
    );
    expect(run.output).toContain('Settings → Environments → prod');
    expect(run.output).toContain(
      "set the environment's variable REQUIRE_REVIEWERS to false",
    );
  });

  it('stops the job when the protection rules cannot be read, naming the permission', async () => {
    api = await gitHubApi(403, {
      message: 'Resource not accessible by integration',
    });

    const run = await runGuard(api, 'true');

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      "HTTP 403: Resource not accessible by integration). The job's token needs 'actions: read'",
    );
  });

  it('checks nothing where reviewers are not required', async () => {
    api = await gitHubApi(200, prod([]));

    const run = await runGuard(api, 'false');

    expect(run).toEqual({
      code: 0,
      output:
        "prod does not require reviewers (its variable REQUIRE_REVIEWERS is 'false').\n",
    });
    expect(api.seen).toEqual([]);
  });
});
