// @ts-check

/**
 * Probe history of model endpoints, plus the latest result per endpoint.
 *
 * `mlops_probe_results` is append-only: one row per probe (1,000 endpoints
 * every 30 s is ~2.9 M rows a day), trimmed by the retention job through the
 * index on `checked_at`. Window queries (24 h uptime, latency percentiles,
 * sparklines) go through the index on (entity_ref, environment, checked_at).
 *
 * `mlops_endpoint_latest` holds exactly one row per (entity_ref, environment),
 * upserted with every probe, so "latest health" reads are primary-key lookups
 * instead of a max(checked_at) scan over the history.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  /** @param {import('knex').Knex.CreateTableBuilder} table */
  const probeColumns = table => {
    table
      .text('entity_ref')
      .notNullable()
      .comment('Stringified entity ref of the ML service');
    table
      .string('environment', 255)
      .notNullable()
      .comment('`default` or the environment suffix of the annotation');
    table.text('url').notNullable().comment('Base URL that was probed');
    table
      .string('state', 16)
      .notNullable()
      .comment('healthy | degraded | down | unknown');
    table.boolean('live').nullable();
    table.boolean('ready').nullable();
    table.boolean('model_ready').nullable();
    table.integer('latency_ms').nullable();
    table.integer('http_status').nullable();
    table.string('error_class', 32).nullable();
    table.text('error_message').nullable();
    table
      .text('model_metadata')
      .nullable()
      .comment('Model metadata as JSON text');
    table
      .timestamp('checked_at', { useTz: true })
      .notNullable()
      .comment('Time of the probe');
  };

  await knex.schema.createTable('mlops_probe_results', table => {
    table.comment('One row per endpoint probe');
    table.bigIncrements('id').primary();
    probeColumns(table);
    table.index(
      ['entity_ref', 'environment', 'checked_at'],
      'mlops_probe_results_endpoint_time_idx',
    );
    table.index(['checked_at'], 'mlops_probe_results_checked_at_idx');
  });

  await knex.schema.createTable('mlops_endpoint_latest', table => {
    table.comment('Latest probe result per endpoint');
    probeColumns(table);
    table.primary(['entity_ref', 'environment'], 'mlops_endpoint_latest_pkey');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_endpoint_latest');
  await knex.schema.dropTable('mlops_probe_results');
};
