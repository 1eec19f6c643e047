import { exec } from './exec';

/**
 * pip settings for `make install`: where pip is configured with package
 * mirrors only as extra indexes, use the first as the index so that pip does
 * not wait on an unreachable default index. Read at run time from pip itself.
 */
export async function pipEnvironment(): Promise<NodeJS.ProcessEnv> {
  if (process.env.PIP_INDEX_URL) {
    return {};
  }
  const { code, output } = await exec('python3', [
    '-m',
    'pip',
    'config',
    'get',
    'global.extra-index-url',
  ]);
  const indexes = code === 0 ? output.trim().split(/\s+/).filter(Boolean) : [];
  if (indexes.length === 0) {
    return {};
  }
  return {
    PIP_INDEX_URL: indexes[0],
    PIP_EXTRA_INDEX_URL: indexes.slice(1).join(' '),
  };
}
