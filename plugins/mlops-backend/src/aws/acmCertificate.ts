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
  now: Date,
): ServiceValueProblem | undefined {
  const status = certificate.Status;
  const { NotAfter } = certificate;
  if (status === 'ISSUED' && NotAfter && NotAfter <= now) {
    // ACM marks an expired certificate EXPIRED some time after the fact.
    return {
      field: 'certificateArn',
      message: `expired on ${NotAfter.toISOString()}, and a load balancer serves it expired: request or import a new certificate and give its ARN`,
    };
  }
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

/** A certificate that expires within this many days gets a warning. */
const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

function expiresOn(notAfter: Date, now: Date): string {
  const daysLeft = Math.ceil((notAfter.getTime() - now.getTime()) / DAY_MS);
  return `expires on ${notAfter.toISOString()} (in ${
    daysLeft === 1 ? 'a day' : `${daysLeft} days`
  })`;
}

/**
 * A warning when the issued `certificate` expires within
 * {@link EXPIRY_WARNING_DAYS} days. ACM never renews an imported
 * certificate; one it issued it renews from up to 60 days before it
 * expires, so one this close has failed to renew (its validation records
 * gone, say). Either way the load balancer goes on serving it expired.
 */
export function expiryWarning(
  certificate: CertificateDetail,
  now: Date = new Date(),
): string | undefined {
  const { Type, Status, NotAfter, RenewalSummary } = certificate;
  if (Status !== 'ISSUED' || !NotAfter || NotAfter <= now) return undefined;
  if (NotAfter.getTime() - now.getTime() > EXPIRY_WARNING_DAYS * DAY_MS) {
    return undefined;
  }
  const when = expiresOn(NotAfter, now);
  if (Type === 'IMPORTED') {
    return (
      `certificateArn is an imported certificate that ${when}, and ACM does not renew imported certificates: ` +
      'import its renewal under the same ARN (aws acm import-certificate --certificate-arn <arn>) before then, ' +
      'or the endpoint serves an expired certificate'
    );
  }
  const renewal = RenewalSummary?.RenewalStatus
    ? ` (renewal ${RenewalSummary.RenewalStatus}${
        RenewalSummary.RenewalStatusReason
          ? `: ${RenewalSummary.RenewalStatusReason}`
          : ''
      })`
    : '';
  return (
    `certificateArn ${when} and ACM has not renewed it${renewal}, although it renews the certificates it issues ` +
    'from up to 60 days before they expire: check its renewal in ACM (the validation records must still be in DNS), ' +
    'or request a new certificate'
  );
}

/**
 * What stops a load balancer from serving the certificate to every
 * environment's host: it does not exist, is not issued (or has expired), or
 * misses one of the hosts. Each problem names `certificateArn` and the fix.
 */
export function certificateUseProblems(
  certificate: CertificateDetail | undefined,
  where: { accountId: string; region: string },
  hosts: EnvironmentHost[],
  now: Date = new Date(),
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
  const status = statusProblem(certificate, now);
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
