import { ConfigReader } from '@backstage/config';
import { runAction } from '../__testUtils__/actionHarness';
import { GithubApiStandIn } from '../__testUtils__/githubApi';
import { createGithubOidcSubjectAction } from './githubOidcSubject';

const churn = { owner: 'acme', ownerId: 123456, name: 'churn', id: 789012 };
const repoUrl = 'github.com?owner=acme&repo=churn';

describe('mlops:github-oidc:subject', () => {
  let github: GithubApiStandIn;
  let action: ReturnType<typeof createGithubOidcSubjectAction>;

  beforeAll(async () => {
    github = await GithubApiStandIn.start();
    action = createGithubOidcSubjectAction({ config: github.config() });
  });
  afterAll(() => github?.stop());
  beforeEach(() => github.reset());

  it("takes GitHub's own sub_claim_prefix, with the integration's token", async () => {
    github.serveRepository(churn, {
      status: 200,
      body: {
        use_default: true,
        use_immutable_subject: false,
        // What GitHub answers for a repository renamed since immutable subjects.
        sub_claim_prefix: 'repo:acme@123456/churn@789012',
      },
    });

    const output = await runAction(action, { repoUrl });

    expect(output).toEqual({
      subjectPrefix: 'repo:acme@123456/churn@789012',
      immutable: true,
      repository: 'acme/churn',
      issuer: 'token.actions.githubusercontent.com',
    });
    expect(github.requests.map(r => r.path)).toEqual([
      '/repos/acme/churn',
      '/repos/acme/churn/actions/oidc/customization/sub',
    ]);
    expect(github.requests[0].headers.authorization).toBe(
      'token integration-token',
    );
  });

  it("outputs an enterprise's unique issuer when mlops.github.enterpriseSlug names it, and refuses a wrong one at start-up", async () => {
    github.serveRepository(churn, {
      status: 200,
      body: { use_default: true, use_immutable_subject: true },
    });
    const withSlug = (enterpriseSlug: string) =>
      createGithubOidcSubjectAction({
        config: new ConfigReader({
          ...github.config().get(),
          mlops: { github: { enterpriseSlug } },
        }),
      });

    const output = await runAction(withSlug('acme-corp'), { repoUrl });

    expect(output.issuer).toBe('token.actions.githubusercontent.com/acme-corp');
    // When the backend starts, not in a task after publish:github made the repository.
    expect(() => withSlug('Acme Corp')).toThrow(
      /mlops\.github\.enterpriseSlug "Acme Corp" must be the enterprise's slug/,
    );
  });

  it('builds the immutable prefix from the IDs when GitHub gives no prefix', async () => {
    github.serveRepository(churn, {
      status: 200,
      body: { use_default: true, use_immutable_subject: true },
    });

    const output = await runAction(action, { repoUrl });

    expect(output.subjectPrefix).toBe('repo:acme@123456/churn@789012');
    expect(output.immutable).toBe(true);
  });

  it('answers the name-only prefix as GitHub spells the names (GHES, older repositories)', async () => {
    // GitHub finds the repository whatever the case of the URL; IAM compares the subject exactly.
    github.answers.set('GET /repos/ACME/Churn', {
      status: 200,
      body: {
        id: 1,
        name: 'churn',
        full_name: 'acme/churn',
        owner: { login: 'acme', id: 2 },
      },
    });
    github.answers.set('GET /repos/ACME/Churn/actions/oidc/customization/sub', {
      status: 200,
      body: { use_default: true },
    });

    const output = await runAction(action, {
      repoUrl: 'github.com?owner=ACME&repo=Churn',
    });

    expect(output).toEqual({
      subjectPrefix: 'repo:acme/churn',
      immutable: false,
      repository: 'acme/churn',
      issuer: 'token.actions.githubusercontent.com',
    });
  });

  it('uses the token given as input instead of the integration’s', async () => {
    github.serveRepository(churn);

    await runAction(action, { repoUrl, token: 'user-token' });

    expect(
      github.requests.every(
        r => r.headers.authorization === 'token user-token',
      ),
    ).toBe(true);
  });

  it('refuses a customised subject template, naming both fixes', async () => {
    github.serveRepository(churn, {
      status: 200,
      body: {
        use_default: false,
        include_claim_keys: ['repo', 'context', 'job_workflow_ref'],
      },
    });

    await expect(runAction(action, { repoUrl })).rejects.toThrow(
      /customised OIDC subject template \(claim keys repo, context, job_workflow_ref\).*-F use_default=true.*existing CI roles/,
    );
  });

  it('accepts a template that spells out the default claim keys', async () => {
    github.serveRepository(churn, {
      status: 200,
      body: { use_default: false, include_claim_keys: ['repo', 'context'] },
    });

    const output = await runAction(action, { repoUrl });

    expect(output.subjectPrefix).toBe('repo:acme/churn');
  });

  describe("a repository that opted into its organisation's template", () => {
    const optedIn = { status: 200, body: { use_default: false } };

    it('is refused when that template is customised', async () => {
      github.serveRepository(churn, optedIn);
      github.answers.set('GET /orgs/acme/actions/oidc/customization/sub', {
        status: 200,
        body: { include_claim_keys: ['repository_owner_id', 'context'] },
      });

      await expect(runAction(action, { repoUrl })).rejects.toThrow(
        /customised OIDC subject template \(claim keys repository_owner_id, context\)/,
      );
    });

    it("gets GitHub's default subject when the organisation has no template", async () => {
      github.serveRepository(churn, optedIn);

      const output = await runAction(action, { repoUrl });

      expect(output.subjectPrefix).toBe('repo:acme/churn');
      expect(github.requests.map(r => r.path)).toContain(
        '/orgs/acme/actions/oidc/customization/sub',
      );
    });

    it('names the missing permission when the template cannot be read', async () => {
      github.serveRepository(churn, optedIn);
      github.answers.set('GET /orgs/acme/actions/oidc/customization/sub', {
        status: 403,
        body: { message: 'Resource not accessible by integration' },
      });

      await expect(runAction(action, { repoUrl })).rejects.toThrow(
        /uses its organisation's OIDC subject template, which cannot be read \(HTTP 403\).*read:org/,
      );
    });
  });

  it('refuses a prefix GitHub gives in an unknown shape', async () => {
    github.serveRepository(churn, {
      status: 200,
      body: { use_default: true, sub_claim_prefix: 'repository:acme/churn' },
    });

    await expect(runAction(action, { repoUrl })).rejects.toThrow(
      /"repository:acme\/churn" for acme\/churn, which is not of the form repo:OWNER\[@ID\]\/REPO\[@ID\]/,
    );
  });

  it('names the missing permission when the subject settings cannot be read', async () => {
    github.serveRepository(churn, {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });

    await expect(runAction(action, { repoUrl })).rejects.toThrow(
      /acme\/churn \(HTTP 403\).*"Actions: Read-only"/,
    );
  });

  it('says to run after publish:github when the repository does not exist', async () => {
    await expect(runAction(action, { repoUrl })).rejects.toThrow(
      /acme\/churn does not exist.*Run this step after publish:github/,
    );
  });

  it('answers the name-only prefix in a dry run, without asking GitHub', async () => {
    github.serveRepository(churn, {
      status: 200,
      body: { use_default: true, use_immutable_subject: true },
    });

    const output = await runAction(action, { repoUrl }, { dryRun: true });

    expect(output).toEqual({
      subjectPrefix: 'repo:acme/churn',
      immutable: false,
      repository: 'acme/churn',
      issuer: 'token.actions.githubusercontent.com',
    });
    expect(github.requests).toEqual([]);
  });

  it('refuses a repoUrl on a host without a GitHub integration', async () => {
    await expect(
      runAction(action, { repoUrl: 'gitlab.com?owner=acme&repo=churn' }),
    ).rejects.toThrow(/gitlab\.com/);
    expect(github.requests).toEqual([]);
  });
});
