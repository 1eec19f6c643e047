import yaml from 'yaml';
import {
  ADDRESS,
  publishedRepository,
  runAction,
} from './__testUtils__/localGitHub';
import { createLocalEnvironmentAction } from './localEnvironmentAction';
import { examples } from './localEnvironmentAction.examples';

describe('local github:environment:create examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const github = await publishedRepository();
      const action = createLocalEnvironmentAction(github);
      const [step] = yaml.parse(example).steps;
      expect(step.action).toBe(action.id);

      await runAction(action, step.input);

      const { environments } = await github.settings.read(ADDRESS);
      expect(environments[step.input.name]).toMatchObject({
        variables: step.input.environmentVariables ?? {},
        reviewers: step.input.reviewers ?? [],
      });
    },
  );
});
