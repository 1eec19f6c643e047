import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { NotAllowedError } from '@backstage/errors';
import { isMissingCredentials } from '../aws/awsErrors';
import {
  describeApplied,
  describePlanned,
  PlannedChange,
} from '../aws/plannedChange';

type AnyContext = ActionContext<any, any, any>;

/**
 * Applies planned changes in order, logging each; creates run inside
 * `ctx.checkpoint` so that a retried task does not repeat them.
 * Returns whether something was created and what was done.
 */
export async function applyChanges(
  ctx: AnyContext,
  changes: PlannedChange[],
  checkpointPrefix: string,
): Promise<{ created: boolean; applied: string[] }> {
  let created = false;
  const applied: string[] = [];
  for (const change of changes) {
    ctx.logger.info(describePlanned(change).replace(/^would /, 'about to '));
    if (change.kind === 'create') {
      const done = await ctx.checkpoint({
        key: `${checkpointPrefix}.create.${change.subject}`,
        fn: async () => {
          await change.apply();
          return true;
        },
      });
      created = created || done;
    } else {
      await change.apply();
    }
    const description = describeApplied(change);
    ctx.logger.info(description);
    applied.push(description);
  }
  if (changes.length === 0) {
    ctx.logger.info('Nothing to change: every setting already matches');
  }
  return { created, applied };
}

/** What a dry-run reports when AWS cannot be read: the plan is unknown, and why. */
export function unknownPlan(error: unknown): string[] | undefined {
  if (isMissingCredentials(error)) {
    return [
      'unknown: no AWS credentials are configured (aws.mainAccount or aws.accounts), so the current state could not be read',
    ];
  }
  if (error instanceof NotAllowedError) {
    return [`unknown: the current state could not be read: ${error.message}`];
  }
  return undefined;
}

/**
 * Runs a dry run's read-only inspection; when AWS cannot be read (no
 * credentials, no read permission) it returns why instead of failing.
 */
export async function inspectOrExplain<T>(
  inspect: () => Promise<T>,
): Promise<{ result: T } | { unknown: string[] }> {
  try {
    return { result: await inspect() };
  } catch (error) {
    const unknown = unknownPlan(error);
    if (!unknown) {
      throw error;
    }
    return { unknown };
  }
}

/** What a dry run would do, or that the resource already matches. */
export function planLines(
  changes: PlannedChange[],
  matching: string,
): string[] {
  return changes.length > 0
    ? changes.map(describePlanned)
    : [`exists: ${matching} the desired configuration`];
}

/** Logs a dry-run plan line by line and sets the outputs every dry run shares. */
export function finishDryRun(ctx: AnyContext, plan: string[]): void {
  for (const line of plan) {
    ctx.logger.info(`[dry run] ${line}`);
  }
  ctx.output('created', false);
  ctx.output('changes', []);
  ctx.output('plan', plan);
}
