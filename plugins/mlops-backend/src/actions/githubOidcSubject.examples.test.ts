import yaml from 'yaml';
import { runAction } from '../__testUtils__/actionHarness';
import { GithubApiStandIn } from '../__testUtils__/githubApi';
import { createGithubOidcSubjectAction } from './githubOidcSubject';
import { examples } from './githubOidcSubject.examples';

describe('mlops:github-oidc:subject examples', () => {
  let github: GithubApiStandIn;

  beforeAll(async () => {
    github = await GithubApiStandIn.start();
  });
  afterAll(() => github?.stop());

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const action = createGithubOidcSubjectAction({
        config: github.config(),
      });
      const [step, trustStep] = yaml.parse(example).steps;
      expect(step.action).toBe(action.id);
      expect(trustStep.input.subjectPrefix).toBe(
        "${{ steps['oidc-subject'].output.subjectPrefix }}",
      );
      github.serveRepository(
        { owner: 'acme', ownerId: 11, name: 'churn-model', id: 22 },
        {
          status: 200,
          body: { use_default: true, use_immutable_subject: true },
        },
      );

      const output = await runAction(action, step.input);

      expect(output.subjectPrefix).toBe('repo:acme@11/churn-model@22');
    },
  );
});
