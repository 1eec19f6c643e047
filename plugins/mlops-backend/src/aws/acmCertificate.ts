import {
  ACMClient,
  CertificateDetail,
  DescribeCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  EnvironmentHost,
  ServiceValueProblem,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { isAwsError } from './awsErrors';

/** The certificate as ACM describes it; undefined when ACM holds none under that ARN. */
export async function describeCertificate(
  acm: ACMClient,
  certificateArn: string,
): Promise<CertificateDetail | undefined> {
  try {
    const { Certificate } = await acm.send(
      new DescribeCertificateCommand({ CertificateArn: certificateArn }),
    );
    return Certificate;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/**
 * Whether a name on a certificate covers `host`, as TLS clients match: case
 * apart, exactly, or as a wildcard standing for the whole first label
 * (`*.example.com` covers `a.example.com`, not `example.com` or `a.b.example.com`).
 */
export function coversHost(certificateName: string, host: string): boolean {
  const name = certificateName.toLowerCase();
  const wanted = host.toLowerCase();
  if (!name.startsWith('*.')) return name === wanted;
  const firstDot = wanted.indexOf('.');
  return firstDot > 0 && wanted.slice(firstDot + 1) === name.slice(2);
}

/** Every DNS name the certificate is valid for. */
function namesOf(certificate: CertificateDetail): string[] {
  return [
    ...new Set([
      ...(certificate.DomainName ? [certificate.DomainName] : []),
      ...(certificate.SubjectAlternativeNames ?? []),
    ]),
  ];
}

function statusProblem(
  certificate: CertificateDetail,
): ServiceValueProblem | undefined {
  const status = certificate.Status;
  if (status === 'ISSUED') return undefined;
  if (status === 'PENDING_VALIDATION') {
    return {
      field: 'certificateArn',
      message:
        'is still pending validation in ACM, and a load balancer serves only issued certificates: ' +
        'create the DNS records ACM lists for it (or approve its validation e-mail), then run again once it is issued',
    };
  }
  return {
    field: 'certificateArn',
    message: `is ${status} in ACM, and a load balancer serves only issued certificates: request or import a new certificate and give its ARN`,
  };
}

/** An imported certificate that expires within this many days gets a warning. */
export const IMPORTED_EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A warning when `certificate` is an issued, imported certificate that
 * expires within {@link IMPORTED_EXPIRY_WARNING_DAYS} days: ACM renews the
 * certificates it issues, never imported ones, and the load balancer goes on
 * serving an imported certificate after it expires.
 */
export function importedExpiryWarning(
  certificate: CertificateDetail,
  now: Date = new Date(),
): string | undefined {
  const { Type, Status, NotAfter } = certificate;
  if (Type !== 'IMPORTED' || Status !== 'ISSUED' || !NotAfter) {
    return undefined;
  }
  const daysLeft = Math.ceil((NotAfter.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft > IMPORTED_EXPIRY_WARNING_DAYS) return undefined;
  return (
    `certificateArn is an imported certificate that expires on ${NotAfter.toISOString()} ` +
    `(in ${
      daysLeft === 1 ? 'a day' : `${daysLeft} days`
    }), and ACM does not renew imported certificates: import its renewal ` +
    'under the same ARN (aws acm import-certificate --certificate-arn <arn>) before then, ' +
    'or the endpoint serves an expired certificate'
  );
}

/**
 * What stops a load balancer from serving the certificate to every
 * environment's host: it does not exist, is not issued, or misses one of
 * the hosts. Each problem names `certificateArn` and the fix.
 */
export function certificateUseProblems(
  certificate: CertificateDetail | undefined,
  where: { accountId: string; region: string },
  hosts: EnvironmentHost[],
): ServiceValueProblem[] {
  if (!certificate) {
    return [
      {
        field: 'certificateArn',
        message: `names no certificate in ACM of account ${where.accountId}, region ${where.region}: request or import the certificate there, or correct the ARN`,
      },
    ];
  }
  const problems: ServiceValueProblem[] = [];
  const status = statusProblem(certificate);
  if (status) problems.push(status);
  const names = namesOf(certificate);
  const uncovered = hosts.filter(
    ({ host }) => !names.some(name => coversHost(name, host)),
  );
  if (uncovered.length > 0) {
    const list = uncovered
      .map(({ environment, host }) => `${host} (${environment})`)
      .join(', ');
    problems.push({
      field: 'certificateArn',
      message: `does not cover ${list}; it names ${names.join(
        ', ',
      )}: use a certificate that names every environment's host (a wildcard covers one label), or change host`,
    });
  }
  return problems;
}
