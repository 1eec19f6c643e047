import { DatabaseService } from '@backstage/backend-plugin-api';

/** Where Backstage's scheduler keeps global tasks, in the plugin's database. */
const SCHEDULER_TASKS_TABLE = 'backstage_backend_tasks__tasks';

/**
 * Frees the lock of a global task whose run is past its timeout, with the
 * statement the scheduler's janitor uses. The janitor sweeps once a minute, so
 * a task whose instance died would wait up to a minute after its timeout;
 * called every half interval, another instance claims it at its next poll.
 */
export async function reclaimExpiredTaskLock(
  database: DatabaseService,
  taskId: string,
): Promise<boolean> {
  const knex = await database.getClient();
  const freed = await knex(SCHEDULER_TASKS_TABLE)
    .where('id', taskId)
    .where('current_run_expires_at', '<', knex.fn.now())
    .update({
      current_run_ticket: null,
      current_run_started_at: null,
      current_run_expires_at: null,
      last_run_ended_at: knex.fn.now(),
      last_run_error_json: JSON.stringify({
        name: 'Error',
        message: 'Task timed out',
      }),
    });
  return freed > 0;
}
