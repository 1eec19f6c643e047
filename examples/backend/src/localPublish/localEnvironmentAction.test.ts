import { InputError, NotFoundError } from '@backstage/errors';
import {
  ADDRESS,
  localGitHub,
  publishedRepository,
  REPO_URL,
  runAction,
} from './__testUtils__/localGitHub';
import { createLocalEnvironmentAction } from './localEnvironmentAction';

const DEFAULT_BRANCH_ONLY = {
  deploymentBranchPolicy: {
    protected_branches: false,
    custom_branch_policies: true,
  },
  customBranchPolicyNames: ['main'],
};

describe('local github:environment:create', () => {
  async function setUp() {
    const github = await publishedRepository();
    return { ...github, action: createLocalEnvironmentAction(github) };
  }

  it('records the environment and says in the log that nothing ran', async () => {
    const { action, settings } = await setUp();

    const { logLines } = await runAction(action, {
      repoUrl: REPO_URL,
      name: 'prod',
      ...DEFAULT_BRANCH_ONLY,
      environmentVariables: {
        AWS_TERRAFORM_ROLE_ARN: 'arn:aws:iam::123456789012:role/t',
      },
      secrets: { TOKEN: 'do-not-write-me' },
      reviewers: ['group:default/ml-team'],
      preventSelfReview: true,
    });

    const record = await settings.read(ADDRESS);
    expect(record.environments).toEqual({
      prod: {
        ...DEFAULT_BRANCH_ONLY,
        customTagPolicyNames: [],
        variables: {
          AWS_TERRAFORM_ROLE_ARN: 'arn:aws:iam::123456789012:role/t',
        },
        secretNames: ['TOKEN'],
        reviewers: ['group:default/ml-team'],
        preventSelfReview: true,
        waitTimer: 0,
      },
    });
    expect(JSON.stringify(record)).not.toContain('do-not-write-me');
    expect(logLines[0]).toBe(
      '[local demo] would create environment prod in acme/churn-model with deployments from branch main; ' +
        'variables AWS_TERRAFORM_ROLE_ARN=arn:aws:iam::123456789012:role/t; secrets TOKEN (values not recorded); ' +
        'required reviewers group:default/ml-team; self-review prevented; nothing ran',
    );
    expect(logLines[1]).toContain(settings.pathOf(ADDRESS));
    expect(logLines[1]).toContain('"AWS_TERRAFORM_ROLE_ARN"');
  });

  it('replaces the record of an environment created again, and keeps the others', async () => {
    const { action, settings } = await setUp();
    await runAction(action, {
      repoUrl: REPO_URL,
      name: 'dev',
      environmentVariables: { A: '1' },
    });
    await runAction(action, {
      repoUrl: REPO_URL,
      name: 'prod',
      environmentVariables: { A: '1' },
    });
    await runAction(action, {
      repoUrl: REPO_URL,
      name: 'dev',
      environmentVariables: { B: '2' },
    });

    const { environments } = await settings.read(ADDRESS);
    expect(Object.keys(environments).sort()).toEqual(['dev', 'prod']);
    expect(environments.dev.variables).toEqual({ B: '2' });
    expect(environments.dev.deploymentBranchPolicy).toBeNull();
  });

  it.each([
    [
      'both branch policies',
      {
        deploymentBranchPolicy: {
          protected_branches: true,
          custom_branch_policies: true,
        },
      },
    ],
    [
      'neither branch policy',
      {
        deploymentBranchPolicy: {
          protected_branches: false,
          custom_branch_policies: false,
        },
      },
    ],
    [
      'branch patterns without a custom policy',
      { customBranchPolicyNames: ['main'] },
    ],
    [
      'seven reviewers',
      { reviewers: Array.from({ length: 7 }, (_, i) => `user:default/u${i}`) },
    ],
    ['a wait timer over 30 days', { waitTimer: 43_201 }],
  ])(
    'refuses %s, as GitHub would, and records nothing',
    async (_case, input) => {
      const { action, settings } = await setUp();
      const before = await settings.read(ADDRESS);
      await expect(
        runAction(action, { repoUrl: REPO_URL, name: 'prod', ...input }),
      ).rejects.toThrow(InputError);
      expect(await settings.read(ADDRESS)).toEqual(before);
    },
  );

  it('refuses a repository that was not published', async () => {
    const github = await localGitHub();
    const action = createLocalEnvironmentAction(github);
    await expect(
      runAction(action, { repoUrl: REPO_URL, name: 'dev' }),
    ).rejects.toThrow(NotFoundError);
  });

  it('refuses a location that is not GitHub', async () => {
    const { action } = await setUp();
    await expect(
      runAction(action, {
        repoUrl: 'gitlab.com?owner=acme&repo=churn-model',
        name: 'dev',
      }),
    ).rejects.toThrow(InputError);
  });
});
