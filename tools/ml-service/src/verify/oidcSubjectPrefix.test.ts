/*
 * The plan jobs' OIDC subject step (.github/scripts/oidc_subject_prefix.sh of the skeleton), run with
 * bash, curl and python3 against a local stand-in for GitHub's OIDC token endpoint that serves a JWT
 * built here: the job prints the subject it presents and hands its prefix, in whichever form GitHub
 * mints it, and the token's issuer (an enterprise's unique issuer URL included), to Terraform through
 * GITHUB_ENV; a customised subject, an issuer no OIDC provider could match, a job without a token and
 * a refused token request stop the job, naming the fix.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exec, ExecResult } from './exec';
import {
  StandIn,
  jsonStandIn,
  skeletonScript,
  unsignedToken,
} from './skeletonScripts';

jest.setTimeout(30_000);

const SCRIPT = skeletonScript('oidc_subject_prefix.sh');
const REQUEST_TOKEN = 'job-request-token';

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** A token as GitHub signs it, with a made-up signature: the script reads its claims only. */
function jwt(subject: string, issuer: string): string {
  return unsignedToken({
    iss: issuer,
    aud: 'sts.amazonaws.com',
    sub: subject,
    repository: 'acme/churn',
    repository_owner: 'acme',
    // The payload is UTF-8 JSON, base64url-encoded without padding.
    actor: 'jdoe-ü',
    exp: 1_900_000_000,
  });
}

/** ACTIONS_ID_TOKEN_REQUEST_URL of a stand-in: GitHub's carries a query string of its own. */
const requestUrlOf = (endpoint: StandIn) =>
  `${endpoint.url}/_apis/token?api-version=2.0`;

/** GitHub's OIDC token endpoint, answering `status` with `body`. */
const tokenEndpoint = jsonStandIn;

const tokenFor = (subject: string, issuer = GITHUB_ISSUER) =>
  tokenEndpoint(200, { count: 1, value: jwt(subject, issuer) });

describe('oidc_subject_prefix.sh (skeleton)', () => {
  let endpoint: StandIn | undefined;
  let dir: string;
  let githubEnv: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'oidc-subject-'));
    githubEnv = path.join(dir, 'github_env');
    // GitHub's file holds what earlier steps wrote; the script appends.
    await fs.writeFile(githubEnv, 'EARLIER=1\n');
  });
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  function runStep(
    env: Record<string, string> = {
      ACTIONS_ID_TOKEN_REQUEST_URL: requestUrlOf(endpoint!),
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
    },
  ): Promise<ExecResult> {
    return exec('bash', [SCRIPT], {
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: '',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: '',
        GITHUB_ENV: githubEnv,
        GITHUB_REPOSITORY: 'acme/churn',
        ...env,
      },
    });
  }

  const written = () => fs.readFile(githubEnv, 'utf8');

  it('hands a legacy prefix to Terraform from a job in an environment', async () => {
    endpoint = await tokenFor('repo:acme/churn:environment:prod');

    const run = await runStep();

    expect(run).toEqual({
      code: 0,
      output:
        'This job presents the OIDC subject repo:acme/churn:environment:prod; the role it assumes must trust exactly that.\n' +
        'Its prefix is repo:acme/churn (names only): Terraform gets it as TF_VAR_github_subject_prefix, and the deploy role it manages trusts repo:acme/churn:environment:<env>.\n' +
        "Its issuer is https://token.actions.githubusercontent.com: Terraform gets it as TF_VAR_github_oidc_issuer, and the deploy role trusts the account's OIDC provider for it.\n",
    });
    expect(await written()).toBe(
      'EARLIER=1\nTF_VAR_github_subject_prefix=repo:acme/churn\n' +
        'TF_VAR_github_oidc_issuer=token.actions.githubusercontent.com\n',
    );
    expect(endpoint.seen).toEqual([
      `GET /_apis/token?api-version=2.0&audience=sts.amazonaws.com bearer ${REQUEST_TOKEN}`,
    ]);
  });

  it('hands an immutable prefix (owner and repository IDs) to Terraform from a default-branch job', async () => {
    endpoint = await tokenFor(
      'repo:acme@123456/churn@789012:ref:refs/heads/main',
    );

    const run = await runStep();

    expect(run.code).toBe(0);
    expect(run.output).toContain(
      'This job presents the OIDC subject repo:acme@123456/churn@789012:ref:refs/heads/main; the role it assumes must trust exactly that.\n',
    );
    expect(run.output).toContain(
      'Its prefix is repo:acme@123456/churn@789012 (immutable subject claims: owner and repository IDs)',
    );
    expect(await written()).toBe(
      'EARLIER=1\nTF_VAR_github_subject_prefix=repo:acme@123456/churn@789012\n' +
        'TF_VAR_github_oidc_issuer=token.actions.githubusercontent.com\n',
    );
  });

  it('hands the prefix to Terraform from a pull request job', async () => {
    endpoint = await tokenFor('repo:acme-ml@42/churn.model_v2@7:pull_request');

    const run = await runStep();

    expect(run.code).toBe(0);
    expect(run.output).toContain(
      'This job presents the OIDC subject repo:acme-ml@42/churn.model_v2@7:pull_request; the role it assumes must trust exactly that.\n',
    );
    expect(await written()).toBe(
      'EARLIER=1\nTF_VAR_github_subject_prefix=repo:acme-ml@42/churn.model_v2@7\n' +
        'TF_VAR_github_oidc_issuer=token.actions.githubusercontent.com\n',
    );
  });

  it("hands an enterprise's unique issuer to Terraform, naming the Backstage setting its roles need", async () => {
    endpoint = await tokenFor(
      'repo:acme@123456/churn@789012:environment:prod',
      'https://token.actions.githubusercontent.com/acme-corp',
    );

    const run = await runStep();

    expect(run.code).toBe(0);
    expect(run.output).toContain(
      'Its issuer is https://token.actions.githubusercontent.com/acme-corp: Terraform gets it as TF_VAR_github_oidc_issuer',
    );
    expect(run.output).toContain(
      "::notice::This repository's enterprise has its unique OIDC issuer URL turned on (https://token.actions.githubusercontent.com/acme-corp). " +
        "The roles Backstage makes trust it only with mlops.github.enterpriseSlug: acme-corp in Backstage's app-config",
    );
    expect(await written()).toBe(
      'EARLIER=1\nTF_VAR_github_subject_prefix=repo:acme@123456/churn@789012\n' +
        'TF_VAR_github_oidc_issuer=token.actions.githubusercontent.com/acme-corp\n',
    );
  });

  it('says nothing of enterprise settings for the default issuer', async () => {
    endpoint = await tokenFor('repo:acme/churn:pull_request');

    const run = await runStep();

    expect(run.code).toBe(0);
    expect(run.output).not.toContain('::notice::');
  });

  it.each([
    ['a plain-HTTP issuer', 'http://token.actions.githubusercontent.com'],
    [
      'an issuer with a query',
      'https://token.actions.githubusercontent.com?x=1',
    ],
    ['an empty issuer', ''],
  ])(
    'stops on %s, which no OIDC provider could match, writing nothing',
    async (_case, issuer) => {
      endpoint = await tokenFor('repo:acme/churn:pull_request', issuer);

      const run = await runStep();

      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `::error::This job's OIDC token names the issuer '${issuer}', which is not an https URL of a host and an optional path`,
      );
      expect(await written()).toBe('EARLIER=1\n');
    },
  );

  it.each([
    [
      'extra claims after the context',
      'repo:acme/churn:environment:prod:job_workflow_ref:acme/churn/.github/workflows/deploy.yml@refs/heads/main',
    ],
    [
      'other claims instead of the repository',
      'repository_owner_id:123456:repository_id:789012:ref:refs/heads/main',
    ],
  ])(
    'stops on a customised subject template (%s), printing the subject and the fix',
    async (_shape, subject) => {
      endpoint = await tokenFor(subject);

      const run = await runStep();

      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `This job presents the OIDC subject ${subject}; the role it assumes must trust exactly that.\n`,
      );
      expect(run.output).toContain(
        `::error::The OIDC subject '${subject}' does not have the shape of GitHub's default subject template`,
      );
      expect(run.output).toContain(
        "this repository's (or its organisation's) subject template is customised. The roles Backstage made",
      );
      expect(run.output).toContain(
        'Fix: restore the default template for this repository, gh api -X PUT repos/acme/churn/actions/oidc/customization/sub -F use_default=true, then re-run; or make those roles trust the customised subject.',
      );
      expect(await written()).toBe('EARLIER=1\n');
    },
  );

  it('stops a job without an OIDC token, naming the permission, before any request', async () => {
    endpoint = await tokenFor('repo:acme/churn:pull_request');

    const run = await runStep({});

    expect(run.code).toBe(1);
    expect(run.output).toBe(
      "::error::This job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set), so it cannot assume an AWS role either. Fix: give the job 'id-token: write' in its permissions: block (pull requests from forks and Dependabot never get a token).\n",
    );
    expect(endpoint.seen).toEqual([]);
    expect(await written()).toBe('EARLIER=1\n');
  });

  it('stops when the token endpoint refuses, with its status and message', async () => {
    endpoint = await tokenEndpoint(403, {
      message: 'Resource not accessible by integration',
    });

    const run = await runStep();

    expect(run.code).toBe(1);
    expect(run.output).toBe(
      "::error::GitHub refused this job's OIDC token (HTTP 403: Resource not accessible by integration). The job needs 'id-token: write' in its permissions: block; if it has it, re-run the job.\n",
    );
    expect(await written()).toBe('EARLIER=1\n');
  });
});
