// @ts-check

/**
 * Consecutive failed probes per endpoint, kept on the latest row so that the
 * failure back-off is shared by every backend instance and survives restarts:
 * whichever instance runs the next probe cycle or answers a page view knows
 * that an endpoint is backing off.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_endpoint_latest', table => {
    table
      .integer('failures')
      .notNullable()
      .defaultTo(0)
      .comment(
        'Consecutive failed probes up to the latest one; 0 after a success',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_endpoint_latest', table => {
    table.dropColumn('failures');
  });
};
