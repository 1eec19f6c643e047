// @ts-check

/** `ANSWERED_STATES` of mlops-common, as of this migration (a migration must not change with the code). */
const UP_STATES = ['healthy', 'degraded'];

/**
 * Whether an endpoint has ever answered (healthy or degraded), kept on its
 * latest row. The failure back-off holds only endpoints that have: one that
 * never answered is usually not deployed yet, and holding it would show its
 * first deploy up to `mlops.prober.maxBackoff` late.
 *
 * Existing endpoints count as having answered when their latest result or any
 * result still in the history did.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_endpoint_latest', table => {
    table
      .boolean('has_been_up')
      .notNullable()
      .defaultTo(false)
      .comment('Whether any probe found the endpoint healthy or degraded');
  });
  await knex('mlops_endpoint_latest')
    .update({ has_been_up: true })
    .whereIn('state', UP_STATES)
    .orWhereExists(
      knex('mlops_probe_results as history')
        .select(knex.raw('1'))
        .whereRaw('history.entity_ref = mlops_endpoint_latest.entity_ref')
        .andWhereRaw('history.environment = mlops_endpoint_latest.environment')
        .whereIn('history.state', UP_STATES),
    );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_endpoint_latest', table => {
    table.dropColumn('has_been_up');
  });
};
