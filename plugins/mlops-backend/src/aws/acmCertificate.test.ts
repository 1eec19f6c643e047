import {
  coversHost,
  certificateUseProblems,
  importedExpiryWarning,
} from './acmCertificate';

const WHERE = { accountId: '123456789012', region: 'eu-west-1' };
const HOSTS = [
  { environment: 'dev', host: 'dev-churn.ml.example.com' },
  { environment: 'prod', host: 'churn.ml.example.com' },
];

describe('coversHost', () => {
  it.each([
    ['churn.ml.example.com', 'churn.ml.example.com', true],
    ['Churn.ML.example.com', 'churn.ml.EXAMPLE.com', true],
    ['*.ml.example.com', 'dev-churn.ml.example.com', true],
    ['*.ml.example.com', 'ml.example.com', false],
    ['*.example.com', 'churn.ml.example.com', false],
    ['churn.ml.example.com', 'dev-churn.ml.example.com', false],
    ['*.ml.example.com', '.ml.example.com', false],
  ])('%s covers %s: %s', (name, host, covered) => {
    expect(coversHost(name, host)).toBe(covered);
  });
});

describe('certificateUseProblems', () => {
  it('finds nothing against an issued certificate that covers every host', () => {
    expect(
      certificateUseProblems(
        { Status: 'ISSUED', DomainName: '*.ml.example.com' },
        WHERE,
        HOSTS,
      ),
    ).toEqual([]);
  });

  it.each(['EXPIRED', 'REVOKED', 'FAILED', 'INACTIVE', 'VALIDATION_TIMED_OUT'])(
    'refuses a certificate that is %s, asking for a new one',
    status => {
      expect(
        certificateUseProblems(
          { Status: status as 'EXPIRED', DomainName: '*.ml.example.com' },
          WHERE,
          HOSTS,
        ),
      ).toEqual([
        {
          field: 'certificateArn',
          message: `is ${status} in ACM, and a load balancer serves only issued certificates: request or import a new certificate and give its ARN`,
        },
      ]);
    },
  );

  it('checks coverage only when the service has a host', () => {
    expect(
      certificateUseProblems(
        { Status: 'ISSUED', DomainName: 'other.example.org' },
        WHERE,
        [],
      ),
    ).toEqual([]);
  });
});

describe('importedExpiryWarning', () => {
  const NOW = new Date('2026-12-05T12:00:00Z');
  const inDays = (days: number) =>
    new Date(NOW.getTime() + days * 24 * 60 * 60 * 1000);

  it.each([
    [30, 'in 30 days'],
    [0.5, 'in a day'],
  ])(
    'warns about an imported certificate %s days from expiry',
    (days, when) => {
      expect(
        importedExpiryWarning(
          { Type: 'IMPORTED', Status: 'ISSUED', NotAfter: inDays(days) },
          NOW,
        ),
      ).toBe(
        `certificateArn is an imported certificate that expires on ${inDays(
          days,
        ).toISOString()} (${when}), and ACM does not renew imported certificates: ` +
          'import its renewal under the same ARN (aws acm import-certificate --certificate-arn <arn>) before then, ' +
          'or the endpoint serves an expired certificate',
      );
    },
  );

  it.each([
    ['an imported certificate with more than 30 days left', 'IMPORTED', 30.1],
    ['a certificate ACM issued, which ACM renews', 'AMAZON_ISSUED', 5],
    ['a private certificate ACM issued, which ACM renews', 'PRIVATE', 5],
  ] as const)('stays silent about %s', (_description, type, days) => {
    expect(
      importedExpiryWarning(
        { Type: type, Status: 'ISSUED', NotAfter: inDays(days) },
        NOW,
      ),
    ).toBeUndefined();
  });

  it('leaves a certificate that is not issued to the status check', () => {
    expect(
      importedExpiryWarning(
        { Type: 'IMPORTED', Status: 'EXPIRED', NotAfter: inDays(-1) },
        NOW,
      ),
    ).toBeUndefined();
  });
});
