import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A self-signed certificate for `names` (the first is also its subject),
 * valid from now for `days` days, and its key, made with openssl in a
 * temporary directory that is removed afterwards.
 */
export async function selfSignedCertificate(
  names: string[],
  days: number,
): Promise<{ cert: Buffer; key: Buffer }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'self-signed-'));
  const file = (name: string) => path.join(dir, name);
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        String(days),
        '-subj',
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${names.map(name => `DNS:${name}`).join(',')}`,
        '-keyout',
        file('key.pem'),
        '-out',
        file('cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: await fs.readFile(file('cert.pem')),
      key: await fs.readFile(file('key.pem')),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
