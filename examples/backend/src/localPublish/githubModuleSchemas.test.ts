import {
  createGithubActionsDispatchAction,
  createGithubEnvironmentAction,
  createPublishGithubAction,
} from '@backstage/plugin-scaffolder-backend-module-github';
import { ConfigReader } from '@backstage/config';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { localGitHub } from './__testUtils__/localGitHub';
import { createLocalDispatchAction } from './localDispatchAction';
import { createLocalEnvironmentAction } from './localEnvironmentAction';
import { createLocalPublishAction } from './localPublishAction';

/** Each input an action takes, with its JSON schema apart from the description. */
function inputsOf(action: TemplateAction<any, any, any>) {
  const { properties = {}, required = [] } = (action.schema?.input ?? {}) as {
    properties?: Record<string, object>;
    required?: string[];
  };
  const withoutDescriptions = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, v) =>
        key === 'description' ? undefined : v,
      ),
    );
  return {
    properties: withoutDescriptions(properties) as Record<string, unknown>,
    required: [...required].sort(),
  };
}

describe('the local stand-ins take the GitHub module actions’ inputs', () => {
  it('github:environment:create and github:actions:dispatch: the same ids and inputs', async () => {
    const { integrations, settings } = await localGitHub();
    const pairs = [
      [
        createLocalEnvironmentAction({ settings, integrations }),
        createGithubEnvironmentAction({
          integrations,
          // Only its handler reads the catalog.
          catalog: {} as any,
        }),
      ],
      [
        createLocalDispatchAction({ settings, integrations }),
        createGithubActionsDispatchAction({ integrations }),
      ],
    ];
    for (const [local, github] of pairs) {
      expect(local.id).toBe(github.id);
      expect(inputsOf(local)).toEqual(inputsOf(github));
    }
  });

  it('publish:github: a subset of its inputs, each with the same schema', async () => {
    const { integrations, settings } = await localGitHub();
    const local = inputsOf(
      createLocalPublishAction({ settings, integrations }),
    );
    const github = inputsOf(
      createPublishGithubAction({
        integrations,
        config: new ConfigReader({}),
        githubCredentialsProvider: { getCredentials: jest.fn() },
      }),
    );
    expect(github.properties).toMatchObject(local.properties);
    expect(local.required).toEqual(github.required);
  });
});
