import {
  coversHost,
  certificateUseProblems,
  expiryWarning,
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

describe('expiryWarning', () => {
  const NOW = new Date('2026-12-05T12:00:00Z');
  const inDays = (days: number) =>
    new Date(NOW.getTime() + days * 24 * 60 * 60 * 1000);

  it.each([
    [30, 'in 30 days'],
    [0.5, 'in a day'],
  ])(
    'warns about an imported certificate %s days from expiry, which only its owner can renew',
    (days, when) => {
      expect(
        expiryWarning(
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

  it.each(['AMAZON_ISSUED', 'PRIVATE'] as const)(
    'warns about a certificate ACM issued (%s) that has not renewed 30 days before it expires, with its renewal status',
    type => {
      expect(
        expiryWarning(
          {
            Type: type,
            Status: 'ISSUED',
            NotAfter: inDays(12),
            RenewalSummary: {
              RenewalStatus: 'PENDING_VALIDATION',
              RenewalStatusReason: 'NO_AVAILABLE_CONTACTS',
              DomainValidationOptions: [],
              UpdatedAt: NOW,
            },
          },
          NOW,
        ),
      ).toBe(
        `certificateArn expires on ${inDays(
          12,
        ).toISOString()} (in 12 days) and ACM has not renewed it (renewal PENDING_VALIDATION: NO_AVAILABLE_CONTACTS), ` +
          'although it renews the certificates it issues from up to 60 days before they expire: ' +
          'check its renewal in ACM (the validation records must still be in DNS), or request a new certificate',
      );
    },
  );

  it.each([
    ['more than 30 days left', { Type: 'IMPORTED', NotAfter: inDays(30.1) }],
    ['no expiry date', { Type: 'IMPORTED' }],
    [
      'a certificate that is not issued (the status check speaks for it)',
      { Type: 'IMPORTED', Status: 'EXPIRED', NotAfter: inDays(-1) },
    ],
    [
      'a certificate past its expiry (refused, not warned about)',
      { Type: 'AMAZON_ISSUED', NotAfter: inDays(-0.1) },
    ],
  ] as const)('stays silent about %s', (_description, certificate) => {
    expect(
      expiryWarning({ Status: 'ISSUED', ...certificate }, NOW),
    ).toBeUndefined();
  });
});

describe('certificateUseProblems for a certificate past its expiry that ACM still calls issued', () => {
  it('refuses it, naming the date', () => {
    const NOW = new Date('2026-12-05T12:00:00Z');
    expect(
      certificateUseProblems(
        {
          Status: 'ISSUED',
          DomainName: '*.ml.example.com',
          NotAfter: new Date('2026-12-05T11:00:00Z'),
        },
        WHERE,
        HOSTS,
        NOW,
      ),
    ).toEqual([
      {
        field: 'certificateArn',
        message:
          'expired on 2026-12-05T11:00:00.000Z, and a load balancer serves it expired: request or import a new certificate and give its ARN',
      },
    ]);
  });
});
