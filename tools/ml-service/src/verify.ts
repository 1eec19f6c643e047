/*
 * yarn ml-service:verify <dir> [--skip-slow]
 *
 * Runs every check of a generated repository with real tools, one line per
 * check, and exits non-zero if any fails. --skip-slow (or
 * MLOPS_VERIFY_SKIP_SLOW=1) leaves out the Python venv, tests, training and
 * serving, `terraform test` and `terraform apply` against moto, for quick local iterations only. The
 * first-push checks read <dir>.render.json, which `yarn ml-service:render`
 * writes beside the directory; without it they fail.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import yaml from 'yaml';
import { exitOnSignals } from '@internal/local-processes';
import { formatResult, verifyRepository } from './verify/index';
import { renderRecordPath } from './verify/renderRecord';

async function serviceNameOf(repoDir: string): Promise<string> {
  const text = await fs
    .readFile(path.join(repoDir, 'catalog-info.yaml'), 'utf8')
    .catch(() => '');
  const component = yaml
    .parseAllDocuments(text)
    .map(d => d.toJS())
    .find(e => e?.kind === 'Component');
  return component?.metadata?.name ?? path.basename(repoDir);
}

async function main() {
  // Ctrl-C or SIGTERM stops the model server and moto the checks started.
  exitOnSignals();
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'skip-slow': { type: 'boolean' } },
  });
  if (positionals.length !== 1) {
    console.error('usage: yarn ml-service:verify <dir> [--skip-slow]');
    process.exit(2);
  }
  const repoDir = path.resolve(positionals[0]);
  const slow = !(
    values['skip-slow'] || process.env.MLOPS_VERIFY_SKIP_SLOW === '1'
  );
  if (!slow) {
    console.log(
      'SKIP  slow checks (python venv/tests/train/serve, terraform test, terraform apply against moto): --skip-slow was given',
    );
  }
  const results = await verifyRepository(
    repoDir,
    await serviceNameOf(repoDir),
    {
      slow,
      onResult: result => console.log(formatResult(result)),
      renderRecord: renderRecordPath(repoDir),
    },
  );
  const count = (status: string) =>
    results.filter(r => r.status === status).length;
  console.log(
    `\nverify: ${count('pass')} passed, ${count('fail')} failed, ${count(
      'skip',
    )} skipped`,
  );
  process.exit(count('fail') > 0 ? 1 : 0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
