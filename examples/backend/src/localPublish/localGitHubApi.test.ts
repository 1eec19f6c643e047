import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createGithubOidcSubjectAction } from '@eks-mlops/backstage-plugin-mlops-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  ADDRESS,
  publishedRepository,
  REPO_URL,
} from './__testUtils__/localGitHub';
import { localGitHubApiPlugin, standInId } from './localGitHubApi';

describe('the local GitHub REST API stand-in', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const { repositories } = await publishedRepository();
    const backend = await startTestBackend({
      features: [
        localGitHubApiPlugin,
        mockServices.rootConfig.factory({
          data: {
            localDemo: { publish: { directory: repositories.directory } },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });
  afterAll(() => stop?.());

  it('answers a published repository with stable IDs, and 404 for any other', async () => {
    const ok = await request(server).get(
      '/api/local-github/repos/acme/churn-model',
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      id: standInId('acme/churn-model'),
      name: 'churn-model',
      full_name: 'acme/churn-model',
      owner: { login: 'acme', id: standInId('acme') },
    });
    expect(standInId('acme')).not.toBe(standInId('acme/churn-model'));

    const missing = await request(server).get(
      '/api/local-github/repos/acme/other',
    );
    expect(missing.status).toBe(404);
  });

  it("gives mlops:github-oidc:subject the repository's immutable subject, as GitHub does for a new repository", async () => {
    const port = (server.address() as AddressInfo).port;
    const action = createGithubOidcSubjectAction({
      config: new ConfigReader({
        integrations: {
          github: [
            {
              host: ADDRESS.host,
              apiBaseUrl: `http://127.0.0.1:${port}/api/local-github`,
              token: 'any-token-the-stand-in-accepts',
            },
          ],
        },
      }),
    });
    const outputs: Record<string, unknown> = {};

    await action.handler({
      ...createMockActionContext({ input: { repoUrl: REPO_URL } }),
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
    } as any);

    expect(outputs).toEqual({
      subjectPrefix: `repo:acme@${standInId('acme')}/churn-model@${standInId(
        'acme/churn-model',
      )}`,
      immutable: true,
      repository: 'acme/churn-model',
      issuer: 'token.actions.githubusercontent.com',
    });
  });
});
