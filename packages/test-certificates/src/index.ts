/**
 * Certificates made with openssl for tests: self-signed, or issued by a
 * fresh private CA (as AWS Private CA issues to ACM).
 *
 * @packageDocumentation
 */

export { selfSignedCertificate } from './selfSignedCertificate';
export { issueWithPrivateCa } from './privateCa';
export type { PrivateCaCertificate } from './privateCa';
