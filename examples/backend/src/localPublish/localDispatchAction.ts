import { InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';
import { githubAddress } from './githubAddress';
import { examples } from './localDispatchAction.examples';
import { LOCAL_DEMO, RecordedGitHubSettings } from './RecordedGitHubSettings';

type WorkflowInputs = Record<string, { required?: boolean; default?: unknown }>;

/**
 * The `workflow_dispatch` inputs a workflow declares, or undefined when it
 * cannot be dispatched by hand.
 */
export function dispatchInputsOf(workflow: string): WorkflowInputs | undefined {
  const triggers = (yaml.parse(workflow) ?? {}).on;
  if (triggers === 'workflow_dispatch') {
    return {};
  }
  if (Array.isArray(triggers)) {
    return triggers.includes('workflow_dispatch') ? {} : undefined;
  }
  if (
    triggers &&
    typeof triggers === 'object' &&
    'workflow_dispatch' in triggers
  ) {
    return triggers.workflow_dispatch?.inputs ?? {};
  }
  return undefined;
}

/** Refuses a dispatch GitHub would refuse with 422, with the reason it gives. */
export function checkDispatch(
  workflowId: string,
  workflow: string,
  inputs: Record<string, string>,
): void {
  const declared = dispatchInputsOf(workflow);
  if (!declared) {
    throw new InputError(
      `Workflow ${workflowId} does not have a 'workflow_dispatch' trigger`,
    );
  }
  const unexpected = Object.keys(inputs).filter(name => !(name in declared));
  if (unexpected.length > 0) {
    throw new InputError(
      `Workflow ${workflowId}: unexpected inputs provided: ${unexpected.join(
        ', ',
      )}`,
    );
  }
  const missing = Object.entries(declared)
    .filter(
      ([name, input]) =>
        input?.required && input.default === undefined && !(name in inputs),
    )
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new InputError(
      `Workflow ${workflowId}: required input ${missing.join(
        ', ',
      )} not provided`,
    );
  }
}

/**
 * `github:actions:dispatch` for the local demo: checks the workflow exists at
 * the ref of the local repository and accepts the inputs, then records the
 * dispatch GitHub would have received beside the repository (see
 * RecordedGitHubSettings). No workflow runs, so no run is reported.
 */
export function createLocalDispatchAction(options: {
  settings: RecordedGitHubSettings;
  integrations: ScmIntegrationRegistry;
}) {
  const { settings, integrations } = options;
  const { repositories } = settings;
  return createTemplateAction({
    id: 'github:actions:dispatch',
    description:
      'Local demo stand-in for github:actions:dispatch: records the workflow dispatch GitHub would have received, next to the local repository. Nothing runs.',
    examples,
    schema: {
      input: {
        repoUrl: z =>
          z.string({
            description: 'Repository location, github.com?owner=o&repo=r',
          }),
        workflowId: z =>
          z.string({
            description: 'File name of the workflow, e.g. deploy.yml',
          }),
        branchOrTagName: z =>
          z.string({ description: 'Branch or tag the workflow runs on' }),
        workflowInputs: z =>
          z
            .record(z.string(), {
              description: 'Inputs of the workflow_dispatch trigger',
            })
            .optional(),
        returnWorkflowRunDetails: z =>
          z
            .boolean({
              description:
                'Return the run ID and URLs (never locally: no workflow runs)',
            })
            .optional(),
        token: z =>
          z.string({ description: 'GitHub token (unused locally)' }).optional(),
      },
      output: {
        workflowRunId: z =>
          z
            .number({ description: 'Not set locally: no workflow runs' })
            .optional(),
        workflowRunUrl: z =>
          z
            .string({ description: 'Not set locally: no workflow runs' })
            .optional(),
        workflowRunHtmlUrl: z =>
          z
            .string({ description: 'Not set locally: no workflow runs' })
            .optional(),
      },
    },
    async handler(ctx) {
      const address = githubAddress(ctx.input.repoUrl, integrations);
      const { workflowId, branchOrTagName: ref } = ctx.input;
      const inputs = ctx.input.workflowInputs ?? {};
      if (/^\d+$/.test(workflowId)) {
        throw new InputError(
          `The local demo dispatches workflows by file name (e.g. deploy.yml), not by ID (${workflowId})`,
        );
      }
      if (!repositories.has(address)) {
        throw new NotFoundError(
          `No repository ${address.owner}/${address.repo} in the local demo; publish it first with publish:github`,
        );
      }
      const { commit, content } = await repositories.readFile(
        address,
        ref,
        `.github/workflows/${workflowId}`,
      );
      checkDispatch(workflowId, content.toString('utf8'), inputs);
      ctx.logger.info(
        `${LOCAL_DEMO} would dispatch workflow ${workflowId} of ${
          address.owner
        }/${address.repo} on ${ref} (commit ${commit.slice(
          0,
          12,
        )}) with inputs ${JSON.stringify(
          inputs,
        )}; nothing ran: no GitHub Actions runner exists on this machine`,
      );
      const record = await ctx.checkpoint({
        key: `local-dispatch-${address.host}-${address.owner}-${address.repo}-${workflowId}`,
        fn: () =>
          settings.update(address, current => ({
            ...current,
            dispatches: [
              ...current.dispatches,
              {
                workflowId,
                ref,
                commit,
                inputs,
                recordedAt: new Date().toISOString(),
              },
            ],
          })),
      });
      if (ctx.input.returnWorkflowRunDetails) {
        ctx.logger.info(
          `${LOCAL_DEMO} no workflow run exists, so workflowRunId and the run URLs are not set`,
        );
      }
      ctx.logger.info(settings.describe(address, record));
    },
  });
}
