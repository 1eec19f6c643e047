import { DryRunRenderer } from './DryRunRenderer';

jest.setTimeout(120_000);

/** A template with the three shapes a step record must get right: plain, `each` and skipped by `if`. */
const TEMPLATE = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'step-records' },
  spec: {
    type: 'service',
    parameters: [
      {
        type: 'object',
        properties: { environments: { type: 'array' } },
      },
    ],
    steps: [
      {
        id: 'greet',
        action: 'debug:log',
        input: { message: 'hello ${{ parameters.environments | length }}' },
      },
      {
        id: 'environments',
        action: 'github:environment:create',
        each: '${{ parameters.environments }}',
        input: {
          repoUrl: 'github.com?owner=acme&repo=records',
          name: '${{ each.value }}',
          environmentVariables: { WHERE: 'in ${{ each.value }}' },
        },
      },
      {
        id: 'never',
        action: 'debug:log',
        if: '${{ parameters.environments | length > 5 }}',
        input: { message: 'skipped' },
      },
      {
        action: 'github:actions:dispatch',
        input: {
          repoUrl: 'github.com?owner=acme&repo=records',
          workflowId: 'deploy.yml',
          branchOrTagName: 'main',
        },
      },
    ],
  },
};

describe('DryRunRenderer step records', () => {
  let renderer: DryRunRenderer;
  beforeAll(async () => {
    renderer = await DryRunRenderer.start();
  });
  afterAll(() => renderer?.stop());

  it('records each step that ran, once per each: iteration, with the input its action got', async () => {
    const result = await renderer.render(
      { template: TEMPLATE, directoryContents: [] },
      { environments: ['dev', 'prod'] },
    );
    expect(
      result.steps.map(({ stepId, action, input }) => ({
        stepId,
        action,
        input,
      })),
    ).toEqual([
      {
        stepId: 'greet',
        action: 'debug:log',
        input: { message: 'hello 2' },
      },
      ...['dev', 'prod'].map(env => ({
        stepId: 'environments',
        action: 'github:environment:create',
        input: {
          repoUrl: 'github.com?owner=acme&repo=records',
          name: env,
          environmentVariables: { WHERE: `in ${env}` },
        },
      })),
      {
        stepId: 'step-4',
        action: 'github:actions:dispatch',
        input: {
          repoUrl: 'github.com?owner=acme&repo=records',
          workflowId: 'deploy.yml',
          branchOrTagName: 'main',
        },
      },
    ]);
    expect(result.log.join('\n')).not.toMatch(
      /step record|--record|step Record/,
    );
  });
});

describe('DryRunRenderer.stop', () => {
  /** Timers that keep this process alive (an unref'd timer does not). */
  const liveTimers = () =>
    process.getActiveResourcesInfo().filter(type => type === 'Timeout').length;

  it('leaves no timer behind that would keep the process alive, the database pool reaper included', async () => {
    const before = liveTimers();
    const renderer = await DryRunRenderer.start();
    expect(liveTimers()).toBeGreaterThan(before);
    await renderer.stop();
    expect(liveTimers()).toBe(before);
  });
});
