import yaml from 'yaml';
import { runAction } from '../__testUtils__/actionHarness';
import { createMlServiceValidateAction } from './mlServiceValidate';
import { examples } from './mlServiceValidate.examples';

describe('mlops:ml-service:validate examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const action = createMlServiceValidateAction();
      const [step] = yaml.parse(example).steps;
      expect(step.action).toBe(action.id);

      await expect(runAction(action, step.input)).resolves.toEqual({});
      await expect(
        runAction(action, { ...step.input, host: '' }),
      ).rejects.toThrow(/host is required when a certificate is set/);
    },
  );
});
