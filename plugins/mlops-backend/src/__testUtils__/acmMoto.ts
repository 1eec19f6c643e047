import {
  ACMClient,
  ImportCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS } from '@internal/moto-server';
import { selfSignedCertificate } from '@internal/test-certificates';

/**
 * Requests a certificate from moto's ACM and returns its ARN. One a private
 * CA signs (`issued`) is issued at once; any other stays pending validation
 * for moto's first minute, as a public one waits for its DNS records.
 */
export async function requestCertificate(
  endpoint: string,
  certificate: {
    region: string;
    names: string[];
    state: 'issued' | 'pending validation';
  },
): Promise<string> {
  const { region, names, state } = certificate;
  const acm = new ACMClient({
    region,
    endpoint,
    credentials: MOTO_CREDENTIALS,
  });
  const [domainName, ...alternatives] = names;
  const { CertificateArn } = await acm.send(
    new RequestCertificateCommand({
      DomainName: domainName,
      SubjectAlternativeNames:
        alternatives.length > 0 ? alternatives : undefined,
      CertificateAuthorityArn:
        state === 'issued'
          ? `arn:aws:acm-pca:${region}:${MOTO_ACCOUNT_ID}:certificate-authority/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`
          : undefined,
    }),
  );
  return CertificateArn!;
}

/**
 * Imports into moto's ACM a self-signed certificate for `names`, valid from
 * now for `days` days, and returns its ARN.
 */
export async function importCertificate(
  endpoint: string,
  certificate: { region: string; names: string[]; days: number },
): Promise<string> {
  const { region, names, days } = certificate;
  const { cert, key } = await selfSignedCertificate(names, days);
  const acm = new ACMClient({
    region,
    endpoint,
    credentials: MOTO_CREDENTIALS,
  });
  const { CertificateArn } = await acm.send(
    new ImportCertificateCommand({ Certificate: cert, PrivateKey: key }),
  );
  return CertificateArn!;
}
