import { X509Certificate, createPrivateKey } from 'node:crypto';
import { issueWithPrivateCa } from './privateCa';
import { selfSignedCertificate } from './selfSignedCertificate';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('selfSignedCertificate', () => {
  it('names every host, signs itself, lasts the days asked and comes with its key', async () => {
    const { cert, key } = await selfSignedCertificate(
      ['svc.example.test', 'alt.example.test'],
      3,
    );
    const x509 = new X509Certificate(cert);

    expect(x509.subject).toBe('CN=svc.example.test');
    expect(x509.subjectAltName).toBe(
      'DNS:svc.example.test, DNS:alt.example.test',
    );
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    const lifetime = Date.parse(x509.validTo) - Date.parse(x509.validFrom);
    expect(Math.round(lifetime / DAY_MS)).toBe(3);
  });
});

describe('issueWithPrivateCa', () => {
  it('issues a certificate for the host that only its CA verifies', async () => {
    const issued = await issueWithPrivateCa('svc.example.test', 90);
    const ca = new X509Certificate(issued.caPem);
    const cert = new X509Certificate(issued.certPem);

    expect(cert.subjectAltName).toBe('DNS:svc.example.test');
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(false);
    expect(cert.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
    const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
    expect(Math.round(lifetime / DAY_MS)).toBe(90);
  });
});
