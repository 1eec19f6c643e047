import yaml from 'yaml';
import {
  ADDRESS,
  publishedRepository,
  runAction,
} from './__testUtils__/localGitHub';
import { createLocalDispatchAction } from './localDispatchAction';
import { examples } from './localDispatchAction.examples';

describe('local github:actions:dispatch examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const github = await publishedRepository();
      const action = createLocalDispatchAction(github);
      const [step] = yaml.parse(example).steps;
      expect(step.action).toBe(action.id);

      await runAction(action, step.input);

      const { dispatches } = await github.settings.read(ADDRESS);
      expect(dispatches).toEqual([
        expect.objectContaining({
          workflowId: step.input.workflowId,
          ref: step.input.branchOrTagName,
          inputs: step.input.workflowInputs ?? {},
        }),
      ]);
    },
  );
});
