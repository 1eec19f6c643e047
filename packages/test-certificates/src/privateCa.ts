/*
 * A private CA, as AWS Private CA is to ACM, and a certificate it issued,
 * made with openssl in a temporary directory that is removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** PEM texts: the CA's certificate, and the certificate it issued with that certificate's key. */
export interface PrivateCaCertificate {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A fresh private CA and a certificate it issued for `host` (its only name), both valid for `days`. */
export async function issueWithPrivateCa(
  host: string,
  days = 1,
): Promise<PrivateCaCertificate> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'private-ca-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: 'ignore' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  try {
    openssl(
      'req',
      '-x509',
      ...ecKey,
      '-nodes',
      '-days',
      String(days),
      '-subj',
      '/CN=Private test CA',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
    );
    openssl(
      'req',
      ...ecKey,
      '-nodes',
      '-subj',
      `/CN=${host}`,
      '-keyout',
      file('key.pem'),
      '-out',
      file('cert.csr'),
    );
    await fs.writeFile(file('san.ext'), `subjectAltName=DNS:${host}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      file('cert.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      String(days),
      '-extfile',
      file('san.ext'),
      '-out',
      file('cert.pem'),
    );
    const read = (name: string) => fs.readFile(file(name), 'utf8');
    return {
      caPem: await read('ca.pem'),
      certPem: await read('cert.pem'),
      keyPem: await read('key.pem'),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
