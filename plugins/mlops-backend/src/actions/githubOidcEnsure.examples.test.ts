import yaml from 'yaml';
import { runAction } from '../__testUtils__/actionHarness';
import {
  motoGithubConfig,
  seedPlatformPolicies,
  startIamMoto,
} from '../__testUtils__/iamMoto';
import { MotoServer } from '@internal/moto-server';
import { createGithubOidcEnsureAction } from './githubOidcEnsure';
import { examples } from './githubOidcEnsure.examples';

jest.setTimeout(60_000);

describe('mlops:github-oidc:ensure examples', () => {
  let moto: MotoServer;
  let action: ReturnType<typeof createGithubOidcEnsureAction>;

  beforeAll(async () => {
    moto = await startIamMoto();
    action = createGithubOidcEnsureAction({
      config: motoGithubConfig(moto.endpoint),
    });
  });
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await seedPlatformPolicies(moto.endpoint);
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const [step] = yaml.parse(example).steps;
      expect(step.action).toBe(action.id);

      const first = await runAction(action, step.input);
      const second = await runAction(action, step.input);

      expect(first.created).toBe(true);
      expect(Object.keys(first.terraformRoleArns)).toEqual(
        step.input.environments,
      );
      expect(first.planRoleArn).toBe(
        `arn:aws:iam::123456789012:role/${step.input.namePrefix}-ci-plan`,
      );
      expect(first.trainingRoleArn).toBe(
        step.input.datasetUri
          ? `arn:aws:iam::123456789012:role/${step.input.namePrefix}-ci-training`
          : '',
      );
      expect(second.changes).toEqual([]);
    },
  );
});
