import { InputError, NotFoundError } from '@backstage/errors';
import {
  ADDRESS,
  DEPLOY_WORKFLOW,
  localGitHub,
  publishedRepository,
  REPO_URL,
  runAction,
} from './__testUtils__/localGitHub';
import {
  createLocalDispatchAction,
  dispatchInputsOf,
} from './localDispatchAction';

describe('local github:actions:dispatch', () => {
  async function setUp(files?: Record<string, string>) {
    const github = await publishedRepository(files);
    return { ...github, action: createLocalDispatchAction(github) };
  }

  it('appends each dispatch with the commit it would run, and outputs no run', async () => {
    const { action, settings, commit } = await setUp();

    const first = await runAction(action, {
      repoUrl: REPO_URL,
      workflowId: 'deploy.yml',
      branchOrTagName: 'main',
      returnWorkflowRunDetails: true,
    });
    await runAction(action, {
      repoUrl: REPO_URL,
      workflowId: 'deploy.yml',
      branchOrTagName: 'main',
      workflowInputs: { image_digest: 'sha256:abc' },
    });

    const { dispatches } = await settings.read(ADDRESS);
    expect(dispatches).toEqual([
      expect.objectContaining({
        workflowId: 'deploy.yml',
        ref: 'main',
        commit,
        inputs: {},
      }),
      expect.objectContaining({ inputs: { image_digest: 'sha256:abc' } }),
    ]);
    expect(first.ctx.output).not.toHaveBeenCalled();
    expect(first.logLines[0]).toBe(
      `[local demo] would dispatch workflow deploy.yml of acme/churn-model on main (commit ${commit.slice(
        0,
        12,
      )}) with inputs {}; nothing ran: no GitHub Actions runner exists on this machine`,
    );
    expect(first.logLines.join('\n')).toContain(settings.pathOf(ADDRESS));
  });

  it.each([
    ['a workflow ID', { workflowId: '1234' }, InputError],
    ['a workflow missing at the ref', { workflowId: 'ci.yml' }, NotFoundError],
    ['an unknown ref', { branchOrTagName: 'develop' }, NotFoundError],
    [
      'an input the workflow does not declare',
      { workflowInputs: { environment: 'prod' } },
      InputError,
    ],
  ])('refuses %s and records nothing', async (_case, input, error) => {
    const { action, settings } = await setUp();
    await expect(
      runAction(action, {
        repoUrl: REPO_URL,
        workflowId: 'deploy.yml',
        branchOrTagName: 'main',
        ...input,
      }),
    ).rejects.toThrow(error);
    expect((await settings.read(ADDRESS)).dispatches).toEqual([]);
  });

  it('refuses a workflow without workflow_dispatch, or a required input left out', async () => {
    const { action } = await setUp({
      '.github/workflows/ci.yml': 'on: [push, pull_request]\njobs: {}\n',
      '.github/workflows/train.yml':
        'on:\n  workflow_dispatch:\n    inputs:\n      dataset:\n        required: true\njobs: {}\n',
    });
    const dispatch = (workflowId: string) =>
      runAction(action, {
        repoUrl: REPO_URL,
        workflowId,
        branchOrTagName: 'main',
      });
    await expect(dispatch('ci.yml')).rejects.toThrow(
      "Workflow ci.yml does not have a 'workflow_dispatch' trigger",
    );
    await expect(dispatch('train.yml')).rejects.toThrow(
      'required input dataset not provided',
    );
  });

  it('refuses a repository that was not published', async () => {
    const github = await localGitHub();
    await expect(
      runAction(createLocalDispatchAction(github), {
        repoUrl: REPO_URL,
        workflowId: 'deploy.yml',
        branchOrTagName: 'main',
      }),
    ).rejects.toThrow(NotFoundError);
  });

  it('reads the dispatch inputs of every way to write the trigger', () => {
    expect(dispatchInputsOf(DEPLOY_WORKFLOW)).toEqual({
      image_digest: { required: false, type: 'string' },
    });
    expect(dispatchInputsOf('on: workflow_dispatch\n')).toEqual({});
    expect(dispatchInputsOf('on: [push, workflow_dispatch]\n')).toEqual({});
    expect(dispatchInputsOf('on:\n  workflow_dispatch:\n')).toEqual({});
    expect(dispatchInputsOf('on: push\n')).toBeUndefined();
    expect(dispatchInputsOf('name: x\n')).toBeUndefined();
  });
});
